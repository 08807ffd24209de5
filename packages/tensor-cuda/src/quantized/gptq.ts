import type { GptqSpec } from "../backend/backend.js";
import { DTypeError, fmt, ShapeError } from "../shape.js";
import { Tensor } from "../tensor.js";
import { quantKernels } from "./kernels.js";

/** What the GPTQ column solve leaves on the weight's device (see Backend's QuantKernels.gptq). */
export interface GptqSolution {
  /** int32 [rows, cols], original column order. */
  codes: Tensor;
  /** float32 [rows, cols], original column order. */
  dequantized: Tensor;
  /** float32 [groups, rows] (groups in quantization order unless static). */
  scale: Tensor;
  zero: Tensor;
  /** float64 [rows]: Σ over the row of (w − q)²/U[c,c]² (half the sum is GPTQ's loss). */
  loss: Tensor;
  /** int32 [1]: 0, or 1 + the first non-positive pivot of the reversed damped Hessian. */
  info: Tensor;
}

/** Whether the device of `t` solves GPTQ in a kernel of its own (CUDA does). */
export function hasGptqSolve(t: Tensor): boolean {
  return !!quantKernels(t, "gptqSolve").gptq;
}

/**
 * GPTQ of a float32 weight [rows, cols] on its float32 Hessian [cols, cols], entirely on their
 * device: damping, the inverse-Hessian factor and the blocked column solve (gptq's `gptqQuantize`
 * drives it and reads `info` and `loss`).
 */
export function gptqSolve(
  weight: Tensor,
  hessian: Tensor,
  spec: Omit<GptqSpec, "rows" | "cols">,
): GptqSolution {
  if (weight.rank !== 2)
    throw new ShapeError(`gptqSolve: weight must be [rows, cols], got ${fmt(weight.shape)}`);
  const [rows, cols] = weight.shape;
  if (hessian.rank !== 2 || hessian.shape[0] !== cols || hessian.shape[1] !== cols)
    throw new ShapeError(`gptqSolve: hessian must be [${cols}, ${cols}], got ${fmt(hessian.shape)}`);
  for (const [name, t] of [
    ["weight", weight],
    ["hessian", hessian],
  ] as const)
    if (t.dtype !== "float32") throw new DTypeError(`gptqSolve: ${name} must be float32, got ${t.dtype}`);
  if (weight.device !== hessian.device)
    throw new Error(`gptqSolve: weight is on ${weight.device}, hessian on ${hessian.device}`);
  const solve = quantKernels(weight, "gptqSolve").gptq;
  if (!solve) throw new Error(`gptqSolve: the ${weight.device} backend has no GPTQ kernel`);
  const out = solve(weight.storage, hessian.storage, { ...spec, rows, cols });
  const groups = out.scale.length / rows;
  return {
    codes: new Tensor(out.codes, [rows, cols]),
    dequantized: new Tensor(out.dequantized, [rows, cols]),
    scale: new Tensor(out.scale, [groups, rows]),
    zero: new Tensor(out.zero, [groups, rows]),
    loss: new Tensor(out.loss, [rows]),
    info: new Tensor(out.info, [1]),
  };
}
