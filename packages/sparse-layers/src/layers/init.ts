import { type nn, Tensor } from "@shrinkray/tensor-cuda";

/**
 * U(-bound, bound) in float32, drawn in row-major order from `opts.generator` (tensor-cuda's
 * default stream when absent). tensor-cuda keeps its own init helper private, so this mirrors it.
 */
export function uniformInit(shape: readonly number[], bound: number, opts: nn.InitOptions = {}): Tensor {
  const u = Tensor.rand(shape, { dtype: "float64", generator: opts.generator }).dataSync() as Float64Array;
  const a = Float32Array.from(u, (v) => (2 * v - 1) * bound);
  return Tensor.from(a, shape, { device: opts.device });
}
