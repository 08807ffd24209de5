import type { Storage, StridedView } from "../backend.js";
import { isContiguous } from "../strided-view.js";
import { hostEmpty, hostZeros } from "./pool.js";
import { CpuStorage, cpu, indices } from "./storage.js";

type Arr = { [i: number]: any; length: number };

/** Visits a strided view in row-major order, calling `row(srcStart, stride, count, dstStart)`. */
function forEachRow(
  v: StridedView,
  row: (src: number, stride: number, count: number, dst: number) => void,
): void {
  const r = v.shape.length;
  if (r === 0) {
    row(v.offset, 1, 1, 0);
    return;
  }
  const last = v.shape[r - 1];
  const sl = v.strides[r - 1];
  let rows = 1;
  for (let d = 0; d < r - 1; d++) rows *= v.shape[d];
  const idx = new Array<number>(r - 1).fill(0);
  let p = v.offset;
  for (let k = 0; k < rows; k++) {
    row(p, sl, last, k * last);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      p += v.strides[d];
      if (idx[d] < v.shape[d]) break;
      p -= v.strides[d] * v.shape[d];
      idx[d] = 0;
    }
  }
}

export function copyStrided(x: Storage, v: StridedView): Storage {
  const X = cpu(x).data as unknown as Arr;
  let n = 1;
  for (const d of v.shape) n *= d;
  if (isContiguous(v)) {
    const out = hostEmpty(x.dtype, n) as any;
    out.set((X as any).subarray(v.offset, v.offset + n));
    return new CpuStorage(x.dtype, out);
  }
  const O = hostEmpty(x.dtype, n) as unknown as Arr;
  forEachRow(v, (src, stride, count, dst) => {
    if (stride === 1) for (let j = 0; j < count; j++) O[dst + j] = X[src + j];
    else for (let j = 0; j < count; j++) O[dst + j] = X[src + j * stride];
  });
  return new CpuStorage(x.dtype, O as any);
}

export function copyInto(dst: Storage, v: StridedView, src: Storage): void {
  const D = cpu(dst).data as unknown as Arr;
  const S = cpu(src).data as unknown as Arr;
  if (isContiguous(v)) {
    (D as any).set(S, v.offset);
    return;
  }
  forEachRow(v, (d0, stride, count, s0) => {
    for (let j = 0; j < count; j++) D[d0 + j * stride] = S[s0 + j];
  });
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
