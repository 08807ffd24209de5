import { linalg, Tensor } from "@shrinkray/tensor-cuda";

/**
 * The upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU), as float32 [n, n]: row i of U holds the
 * coefficients GPTQ spreads column i's quantization error with. Factored in float64 (LAPACK's
 * dpotrf and dtrtri where there is OpenBLAS) and rounded to float32 once, so no float32 noise of
 * our own reaches the weights: the inverse of a damped Hessian is ill-conditioned enough for
 * that to matter. A Hessian that is not positive definite throws linalg.NotPositiveDefiniteError.
 */
export function inverseHessianFactor(h: Float32Array | Float64Array, n: number): Float32Array {
  const h64 = Tensor.from(Float64Array.from(h), [n, n], { dtype: "float64" });
  try {
    const u = linalg.choleskyOfInverse(h64, { name: "the damped Hessian" });
    const out = Float32Array.from(u.dataSync() as Float64Array);
    u.dispose();
    return out;
  } finally {
    h64.dispose();
  }
}
