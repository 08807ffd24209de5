import { linalg, Tensor } from "@shrinkray/tensor-cuda";

/**
 * The upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU), as float32 [n, n]: row i of U holds the
 * coefficients GPTQ spreads column i's quantization error with. Factored in float32 as the
 * reference does (LAPACK's spotrf and strtri where there is OpenBLAS): on the shared fixtures it
 * gives the same codes as a float64 factorisation (none off by a step), in about half the time
 * at a 4864-wide Hessian. A Hessian that is not positive definite throws
 * linalg.NotPositiveDefiniteError.
 */
export function inverseHessianFactor(h: Float32Array | Float64Array, n: number): Float32Array {
  const h32 = Tensor.from(h instanceof Float32Array ? h.slice() : Float32Array.from(h), [n, n]);
  try {
    const u = linalg.choleskyOfInverse(h32, { name: "the damped Hessian" });
    const out = u.dataSync() as Float32Array;
    u.dispose();
    return out;
  } finally {
    h32.dispose();
  }
}
