import type { DType } from "../dtype.js";
import type { ReduceOp } from "./backend.js";

/**
 * The dtype every backend's reduce writes: arg-reductions give int32 indices; sums of bools and
 * bytes count past 255, so they accumulate into int32; everything else keeps the input's dtype.
 */
export function reduceOutputDType(op: ReduceOp, input: DType): DType {
  if (op === "argmax" || op === "argmin") return "int32";
  if (op === "sum" && (input === "bool" || input === "uint8")) return "int32";
  return input;
}
