import type { StridedView } from "../backend.js";
import { MAX_RANK } from "./kernel-abi.js";

/*
 * The host side of ops/common.cuh's Index3: up to three operands read (or written) through
 * strided views of one output shape. Axes are merged first wherever every operand walks them as
 * one (contiguous runs, broadcast runs), so most views reach the kernel with rank 1 or 2 and the
 * kernel's per-element index arithmetic stays short.
 */
export interface Index3 {
  rank: number;
  /** Elements of the output. */
  n: number;
  shape: number[];
  strides: number[][];
  offsets: number[];
}

/**
 * Merges axes of `shape` that every operand's strides treat as one and drops size-1 axes.
 * Returns rank ≥ 1 (a scalar becomes shape [1]).
 */
export function coalesce(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    // Axis d folds into the previous kept axis when, for every operand, stepping the previous
    // axis once equals stepping d through its whole extent.
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      for (let k = 0; k < strides.length; k++) outStrides[k][last] = strides[k][d];
      continue;
    }
    outShape.push(shape[d]);
    for (let k = 0; k < strides.length; k++) outStrides[k].push(strides[k][d]);
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** Builds the Index3 of up to three views over the same shape (missing operands read index 0). */
export function index3(views: readonly StridedView[]): Index3 {
  if (views.length < 1 || views.length > 3) throw new Error("index3 takes one to three views");
  const shape = views[0].shape;
  for (const v of views) {
    if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`index3: views of different shapes [${v.shape}] and [${shape}]`);
    }
  }
  let n = 1;
  for (const d of shape) n *= d;
  const c = coalesce(
    shape,
    views.map((v) => v.strides),
  );
  if (c.shape.length > MAX_RANK) {
    throw new Error(
      `CUDA strided kernels handle at most ${MAX_RANK} non-mergeable axes; got shape [${shape}] (make the tensor contiguous first)`,
    );
  }
  const strides = [0, 1, 2].map((k) => c.strides[k] ?? c.shape.map(() => 0));
  const offsets = [0, 1, 2].map((k) => views[k]?.offset ?? 0);
  return { rank: c.shape.length, n, shape: c.shape, strides, offsets };
}

/** The 296 bytes of `struct Index3` at `offset` of `view` (little-endian int64s). */
export function writeIndex3(dv: DataView, offset: number, ix: Index3): void {
  const put = (slot: number, v: number) => dv.setBigInt64(offset + slot * 8, BigInt(v), true);
  put(0, ix.rank);
  put(1, ix.n);
  for (let d = 0; d < MAX_RANK; d++) {
    put(2 + d, ix.shape[d] ?? 1);
    for (let k = 0; k < 3; k++) put(2 + MAX_RANK * (k + 1) + d, ix.strides[k][d] ?? 0);
  }
  for (let k = 0; k < 3; k++) put(2 + 4 * MAX_RANK + k, ix.offsets[k]);
}
