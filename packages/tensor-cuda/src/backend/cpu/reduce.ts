import type { ReduceOp, Storage } from "../backend.js";
import { reduceOutputDType } from "../reduce-dtype.js";
import { hostZeros } from "./pool.js";
import { CpuStorage, nums } from "./storage.js";

/*
 * Reduction of the middle axis of [outer, size, inner]. The loops are generated once per
 * (op, array class), as the element-wise ones are, so element access stays monomorphic (one
 * shared loop over float32, int32 and bool arrays ran several times slower). Sums accumulate in
 * float64 (JS numbers); NaN wins max/min, as in PyTorch.
 */
type ReduceLoop = (
  X: ArrayLike<number>,
  out: { [i: number]: number },
  outer: number,
  size: number,
  inner: number,
) => void;

// Per-op pieces: how a candidate v replaces the running best (NaN propagates).
const BETTER: Record<Exclude<ReduceOp, "sum">, string> = {
  max: "v > b || v !== v",
  argmax: "v > b || v !== v",
  min: "v < b || v !== v",
  argmin: "v < b || v !== v",
};

function source(op: ReduceOp): string {
  const arg = op === "argmax" || op === "argmin";
  if (op === "sum")
    return `
      if (inner === 1) {
        for (let o = 0; o < outer; o++) {
          const base = o * size; let s0 = 0, s1 = 0, j = 0;
          for (; j + 1 < size; j += 2) { s0 += X[base + j]; s1 += X[base + j + 1]; }
          if (j < size) s0 += X[base + j];
          out[o] = s0 + s1;
        }
        return;
      }
      const acc = new Float64Array(inner);
      for (let o = 0; o < outer; o++) {
        const base = o * size * inner;
        for (let i = 0; i < inner; i++) acc[i] = X[base + i];
        for (let j = 1; j < size; j++) { const row = base + j * inner; for (let i = 0; i < inner; i++) acc[i] += X[row + i]; }
        const ob = o * inner;
        for (let i = 0; i < inner; i++) out[ob + i] = acc[i];
      }`;
  const better = BETTER[op];
  return `
      if (inner === 1) {
        for (let o = 0; o < outer; o++) {
          const base = o * size; let b = X[base]; let bi = 0;
          for (let j = 1; j < size && b === b; j++) { const v = X[base + j]; if (${better}) { b = v; bi = j; } }
          out[o] = ${arg ? "bi" : "b"};
        }
        return;
      }
      const acc = new Float64Array(inner); const best = new Int32Array(inner);
      for (let o = 0; o < outer; o++) {
        const base = o * size * inner;
        for (let i = 0; i < inner; i++) acc[i] = X[base + i];
        best.fill(0);
        for (let j = 1; j < size; j++) {
          const row = base + j * inner;
          for (let i = 0; i < inner; i++) { const v = X[row + i]; const b = acc[i]; if (b === b && (${better})) { acc[i] = v; best[i] = j; } }
        }
        const ob = o * inner;
        for (let i = 0; i < inner; i++) out[ob + i] = ${arg ? "best[i]" : "acc[i]"};
      }`;
}

const loops = new Map<string, Map<unknown, ReduceLoop>>();

function loopFor(op: ReduceOp, X: ArrayLike<number>): ReduceLoop {
  let byClass = loops.get(op);
  if (!byClass) loops.set(op, (byClass = new Map()));
  const cls = (X as object).constructor;
  let f = byClass.get(cls);
  if (!f) {
    f = new Function("X", "out", "outer", "size", "inner", source(op)) as ReduceLoop;
    byClass.set(cls, f);
  }
  return f;
}

export function reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
  const X = nums(x);
  const dtype = reduceOutputDType(op, x.dtype);
  const out = hostZeros(dtype, outer * inner) as Float32Array;
  if (size === 0) {
    if (op !== "sum") throw new RangeError(`${op}: cannot reduce an empty axis`);
    return new CpuStorage(dtype, out);
  }
  loopFor(op, X)(X, out, outer, size, inner);
  return new CpuStorage(dtype, out);
}
