import type { ReduceOp, Storage } from "../backend.js";
import type { CudaContext } from "./context.js";
import type { CudaStorage } from "./storage.js";
import { numericSuffix } from "./suffixes.js";

/*
 * Reductions of the middle axis of [outer, size, inner]. With inner == 1 each output is a
 * contiguous row: one block per row, reduced with warp shuffles. Otherwise neighbouring threads
 * take neighbouring inner positions, so every step of their loop reads one coalesced line.
 */
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
  const dtype = arg
    ? "int32"
    : op === "sum" && (x.dtype === "bool" || x.dtype === "uint8")
      ? "int32"
      : x.dtype;
  const outputs = outer * inner;
  if (size === 0) {
    if (op !== "sum" && outputs > 0) throw new RangeError(`${op}: cannot reduce an empty axis`);
    return zeros(dtype, outputs);
  }
  const out = c.alloc(dtype, outputs);
  if (outputs === 0) return out;
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
