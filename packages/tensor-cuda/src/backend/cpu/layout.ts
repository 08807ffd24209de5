import type { Storage, StridedView } from "../backend.js";
import { isContiguous } from "../strided-view.js";
import { hostEmpty, hostZeros } from "./pool.js";
import { CpuStorage, cpu, indices } from "./storage.js";

type Arr = { [i: number]: any; length: number };

/*
 * Strided copies: one loop per typed-array class, generated (as the element-wise loops are) so
 * element access stays monomorphic; the odometer walks all but the last axis, the last is a
 * tight loop. A transpose for attention is millions of 64-element rows: a callback per row and
 * one shared loop for every dtype cost several times the copy itself.
 */
type StridedLoop = (
  X: Arr,
  O: Arr,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  gather: boolean,
) => void;

const STRIDED_BODY = `
  const r = shape.length;
  if (r === 0) { if (gather) O[0] = X[offset]; else X[offset] = O[0]; return; }
  const last = shape[r - 1], sl = strides[r - 1];
  let rows = 1;
  for (let d = 0; d < r - 1; d++) rows *= shape[d];
  const idx = new Int32Array(Math.max(r - 1, 1));
  let p = offset, o = 0;
  for (let k = 0; k < rows; k++) {
    if (gather) {
      if (sl === 1) for (let j = 0; j < last; j++) O[o + j] = X[p + j];
      else for (let j = 0, q = p; j < last; j++, q += sl) O[o + j] = X[q];
    } else {
      if (sl === 1) for (let j = 0; j < last; j++) X[p + j] = O[o + j];
      else for (let j = 0, q = p; j < last; j++, q += sl) X[q] = O[o + j];
    }
    o += last;
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      p += strides[d];
      if (idx[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }`;

const stridedLoops = new Map<unknown, StridedLoop>();

function stridedLoop(arr: Arr): StridedLoop {
  const cls = (arr as object).constructor;
  let f = stridedLoops.get(cls);
  if (!f) {
    f = new Function("X", "O", "shape", "strides", "offset", "gather", STRIDED_BODY) as StridedLoop;
    stridedLoops.set(cls, f);
  }
  return f;
}

export function copyStrided(x: Storage, v: StridedView): Storage {
  const X = cpu(x).data as unknown as Arr;
  let n = 1;
  for (const d of v.shape) n *= d;
  const O = hostEmpty(x.dtype, n) as any;
  if (isContiguous(v)) O.set((X as any).subarray(v.offset, v.offset + n));
  else stridedLoop(X)(X, O, v.shape, v.strides, v.offset, true);
  return new CpuStorage(x.dtype, O);
}

export function copyInto(dst: Storage, v: StridedView, src: Storage): void {
  const D = cpu(dst).data as unknown as Arr;
  const S = cpu(src).data as unknown as Arr;
  if (isContiguous(v)) {
    (D as any).set(S, v.offset);
    return;
  }
  stridedLoop(D)(D, S, v.shape, v.strides, v.offset, false);
}

function checkIndex(op: string, i: number, size: number): void {
  if (!(i >= 0 && i < size))
    throw new RangeError(`${op}: index ${i} is out of range for a dimension of size ${size}`);
}

export function gather(
  x: Storage,
  index: Storage,
  outer: number,
  dimX: number,
  dimIdx: number,
  inner: number,
): Storage {
  const X = cpu(x).data as unknown as Arr;
  const I = indices(index);
  const O = hostZeros(x.dtype, outer * dimIdx * inner) as unknown as Arr;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < dimIdx; j++) {
      const ob = (o * dimIdx + j) * inner;
      for (let i = 0; i < inner; i++) {
        let k = I[ob + i];
        if (k < 0) k += dimX;
        checkIndex("gather", k, dimX);
        O[ob + i] = X[(o * dimX + k) * inner + i];
      }
    }
  }
  return new CpuStorage(x.dtype, O as any);
}

export function scatterAdd(
  base: Storage,
  index: Storage,
  src: Storage,
  outer: number,
  dimX: number,
  dimIdx: number,
  inner: number,
): Storage {
  const O = (cpu(base).data as any).slice() as Arr;
  const I = indices(index);
  const S = cpu(src).data as unknown as Arr;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < dimIdx; j++) {
      const sb = (o * dimIdx + j) * inner;
      for (let i = 0; i < inner; i++) {
        let k = I[sb + i];
        if (k < 0) k += dimX;
        checkIndex("scatter_add", k, dimX);
        O[(o * dimX + k) * inner + i] += S[sb + i];
      }
    }
  }
  return new CpuStorage(base.dtype, O as any);
}

export function indexSelect(x: Storage, index: Storage, outer: number, dim: number, inner: number): Storage {
  const X = cpu(x).data as any;
  const I = indices(index);
  const m = I.length;
  const O = hostZeros(x.dtype, outer * m * inner) as any;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      let k = I[j];
      if (k < 0) k += dim;
      checkIndex("index_select", k, dim);
      const s = (o * dim + k) * inner;
      O.set(X.subarray(s, s + inner), (o * m + j) * inner);
    }
  }
  return new CpuStorage(x.dtype, O);
}

export function indexAdd(src: Storage, index: Storage, outer: number, dim: number, inner: number): Storage {
  const S = cpu(src).data as unknown as Arr;
  const I = indices(index);
  const m = I.length;
  const O = hostZeros(src.dtype, outer * dim * inner) as unknown as Arr;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      let k = I[j];
      if (k < 0) k += dim;
      checkIndex("index_add", k, dim);
      const d = (o * dim + k) * inner;
      const s = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) O[d + i] += S[s + i];
    }
  }
  return new CpuStorage(src.dtype, O as any);
}
