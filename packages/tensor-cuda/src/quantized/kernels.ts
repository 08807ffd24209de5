import type { QuantKernels } from "../backend/backend.js";
import { backendOf } from "../ops/util.js";
import type { Tensor } from "../tensor.js";

/** The quantization kernels of `t`'s device, or an error naming the device and the op. */
export function quantKernels(t: Tensor, op: string): QuantKernels {
  const k = backendOf(t).quant;
  if (!k) throw new Error(`${op}: the ${t.device} backend has no quantization kernels`);
  return k;
}
