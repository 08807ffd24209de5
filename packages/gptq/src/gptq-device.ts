import type { Tensor as TensorType } from "@shrinkray/tensor-cuda";
import { type GptqOptions, type GptqResult, hessianDiagonal, startSolve } from "./gptq.js";

/**
 * GPTQ where the weight lives: the same solve as gptqQuantize (tensor-cuda's quant.gptqSolve),
 * on the weight's device, with the few values it reads back (H's diagonal for act-order, the
 * factorisation's status and the per-row losses) read asynchronously, so a CUDA weight's
 * Hessian, factorisation and column loop all stay on the device, and so do the result's tensors.
 *
 * The CUDA solve rounds like the CPU one step for step except where the algorithm's order
 * differs (its float64 factorisation's sums, the GEMM that carries each block's error forward),
 * so a few codes that sit on a rounding boundary can differ from the CPU's.
 */
export async function gptqQuantizeAsync(
  weight: TensorType,
  hessian: TensorType,
  options: GptqOptions,
): Promise<GptqResult> {
  const where = "gptqQuantizeAsync";
  let diagonal: Float32Array | null = null;
  if (options.actOrder) {
    const d = hessianDiagonal(hessian, where);
    diagonal = (await d.data()) as Float32Array;
    d.dispose();
  }
  const job = startSolve(weight, hessian, options, where, diagonal);
  const [info, losses] = await Promise.all([job.solution.info.data(), job.solution.loss.data()]);
  return job.finish(info as Int32Array, losses as Float64Array);
}
