import type { ReduceOp, Storage } from "../../../backend.js";
import { reduceOutputDType } from "../../../reduce-dtype.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";
import { numericSuffix } from "../../suffixes.js";

/*
 * Reductions of the middle axis of [outer, size, inner]. With inner == 1 each output is a
 * contiguous row: one block per row, reduced with warp shuffles. Otherwise neighbouring threads
 * take neighbouring inner positions, so every step of their loop reads one coalesced line.
 *
 * Either way the parallelism is the number of outputs; when that is small and the reduced axis
 * long (a bias gradient: 768 outputs over 4096 rows; a full sum: one output), the axis is split
 * into chunks reduced in parallel first, then the chunks (two passes, as CUB does).
 */

/** A divisor d of `size` (2 ≤ d ≤ maxChunks, size/d ≥ 16) to split the axis into, or 1. */
export function chunkCount(size: number, maxChunks: number): number {
  for (let d = Math.min(maxChunks, Math.floor(size / 16)); d >= 2; d--) if (size % d === 0) return d;
  return 1;
}

/** How many chunks to split the reduced axis into for enough parallel work (1: don't split). */
export function splitFor(
  op: ReduceOp,
  outer: number,
  size: number,
  inner: number,
  multiprocessors: number,
): number {
  if (op === "argmax" || op === "argmin") return 1; // indices would need offsets per chunk
  if (inner === 1) return outer < 2 * multiprocessors && size >= 1 << 16 ? chunkCount(size, 1024) : 1;
  return outer * inner < 64 * multiprocessors && size >= 512 ? chunkCount(size, 256) : 1;
}

export function reduce(
  c: CudaContext,
  op: ReduceOp,
  x: Storage,
  outer: number,
  size: number,
  inner: number,
  zeros: (dtype: "int32" | Storage["dtype"], length: number) => CudaStorage,
): CudaStorage {
  const t = numericSuffix(op, x);
  const arg = op === "argmax" || op === "argmin";
  const dtype = reduceOutputDType(op, x.dtype);
  const outputs = outer * inner;
  if (size === 0) {
    if (op !== "sum" && outputs > 0) throw new RangeError(`${op}: cannot reduce an empty axis`);
    return zeros(dtype, outputs);
  }
  if (outputs === 0) return c.alloc(dtype, 0);
  const chunks = splitFor(op, outer, size, inner, c.info.multiprocessors);
  if (chunks > 1) {
    // [outer, chunks, size/chunks, inner] → partials [outer, chunks, inner] → [outer, inner].
    const partial = reduce(c, op, x, outer * chunks, size / chunks, inner, zeros);
    const out = reduce(c, op, partial, outer, chunks, inner, zeros);
    partial.dispose();
    return out;
  }
  const out = c.alloc(dtype, outputs);
  const layout = inner === 1 ? "rows" : "cols";
  const family = op === "sum" ? "sum" : arg ? "arg" : "minmax";
  const name = `reduce_${family}_${layout}_${t}`;
  const shape = [outer, size, inner];
  const args =
    op === "sum"
      ? [c.ptr(x), out.address(), ...shape]
      : [op === "max" || op === "argmax" ? 1 : 0, c.ptr(x), out.address(), ...shape];
  if (layout === "rows") c.launchRows(name, outer, size, args);
  else c.launch1d(name, outputs, args);
  return out;
}
