import type { ReduceOp, Storage } from "../backend.js";
import { reduceOutputDType } from "../reduce-dtype.js";
import { hostZeros } from "./pool.js";
import { CpuStorage, nums } from "./storage.js";

/** Reduces the middle axis of [outer, size, inner]. Sums accumulate in float64 (JS numbers). */
export function reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
  const X = nums(x);
  const arg = op === "argmax" || op === "argmin";
  const dtype = reduceOutputDType(op, x.dtype);
  const out = hostZeros(dtype, outer * inner) as Float32Array;
  if (size === 0) {
    if (op !== "sum") throw new RangeError(`${op}: cannot reduce an empty axis`);
    return new CpuStorage(dtype, out);
  }
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * size;
      if (op === "sum") {
        let s = 0;
        for (let j = 0; j < size; j++) s += X[base + j];
        out[o] = s;
      } else {
        const wantMax = op === "max" || op === "argmax";
        let best = X[base];
        let bi = 0;
        for (let j = 1; j < size; j++) {
          const v = X[base + j];
          if (Number.isNaN(best)) break; // NaN wins, as in PyTorch
          if (wantMax ? v > best || Number.isNaN(v) : v < best || Number.isNaN(v)) {
            best = v;
            bi = j;
          }
        }
        out[o] = arg ? bi : best;
      }
    }
    return new CpuStorage(dtype, out);
  }
  const acc = new Float64Array(inner);
  const best = new Int32Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let i = 0; i < inner; i++) acc[i] = X[base + i];
    best.fill(0);
    for (let j = 1; j < size; j++) {
      const row = base + j * inner;
      if (op === "sum") for (let i = 0; i < inner; i++) acc[i] += X[row + i];
      else if (op === "max" || op === "argmax") {
        for (let i = 0; i < inner; i++) {
          const v = X[row + i];
          if (!Number.isNaN(acc[i]) && (v > acc[i] || Number.isNaN(v))) {
            acc[i] = v;
            best[i] = j;
          }
        }
      } else {
        for (let i = 0; i < inner; i++) {
          const v = X[row + i];
          if (!Number.isNaN(acc[i]) && (v < acc[i] || Number.isNaN(v))) {
            acc[i] = v;
            best[i] = j;
          }
        }
      }
    }
    const ob = o * inner;
    for (let i = 0; i < inner; i++) out[ob + i] = arg ? best[i] : acc[i];
  }
  return new CpuStorage(dtype, out);
}
