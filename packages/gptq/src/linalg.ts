/*
 * The dense linear algebra GPTQ needs on its [in, in] Hessian: the upper Cholesky factor of H⁻¹.
 * Done in float64 (rounded to float32 once at the end) so no float32 noise of our own reaches
 * the weights: the inverse of a damped Hessian is ill-conditioned enough for that to matter.
 * Inner loops run along rows (contiguous memory) with several accumulators, since one running
 * sum is bound by the latency of each add.
 */

/** Thrown when the (damped) Hessian is not positive definite. */
export class NotPositiveDefiniteError extends Error {
  override name = "NotPositiveDefiniteError";
}

/** Σₖ a[i+k]·b[j+k] for k < len, four sums at a time. */
function dot(a: Float64Array, i: number, b: Float64Array, j: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[i + k] * b[j + k];
    s1 += a[i + k + 1] * b[j + k + 1];
    s2 += a[i + k + 2] * b[j + k + 2];
    s3 += a[i + k + 3] * b[j + k + 3];
  }
  for (; k < len; k++) s0 += a[i + k] * b[j + k];
  return s0 + s1 + (s2 + s3);
}

/** Lower Cholesky factor L (A = L Lᵀ) of a symmetric n×n matrix; only A's lower triangle is read. */
export function cholesky(a: Float64Array, n: number, what = "matrix"): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = a[ri + j] - dot(l, ri, l, rj, j);
      if (j < i) l[ri + j] = s / l[rj + j];
      else {
        if (!(s > 0)) {
          throw new NotPositiveDefiniteError(
            `cholesky: ${what} is not positive definite (pivot ${i} is ${s})`,
          );
        }
        l[ri + i] = Math.sqrt(s);
      }
    }
  }
  return l;
}

/**
 * (L⁻¹)ᵀ of a lower-triangular L, i.e. an upper-triangular Y with Y[j,i] = L⁻¹[i,j]. Storing the
 * inverse transposed turns each entry, −Σₖ L[i,k]·L⁻¹[k,j] / L[i,i] over j ≤ k < i, into a dot
 * product of two contiguous row pieces.
 */
export function invertLowerTransposed(l: Float64Array, n: number): Float64Array {
  const y = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const d = l[ri + i];
    for (let j = 0; j < i; j++) y[j * n + i] = -dot(l, ri + j, y, j * n + j, i - j) / d;
    y[ri + i] = 1 / d;
  }
  return y;
}

/**
 * The upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU), as float32 [n, n]: row i of U holds the
 * coefficients GPTQ spreads column i's quantization error with. The reference computes
 * chol(cholesky_inverse(chol(H)), upper); one factorisation and one triangular inverse give the
 * same U: with J the reversal, JHJ = L̃L̃ᵀ makes H = MMᵀ for the upper M = JL̃J, so
 * H⁻¹ = (M⁻¹)ᵀM⁻¹ with M⁻¹ upper and positive on the diagonal, i.e. U = M⁻¹ = J L̃⁻¹ J.
 */
export function inverseHessianFactor(h: Float32Array | Float64Array, n: number): Float32Array {
  const rev = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rev[(n - 1 - i) * n + (n - 1 - j)] = h[i * n + j];
  const y = invertLowerTransposed(cholesky(rev, n, "the damped Hessian"), n);
  const u = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = j; i < n; i++) u[(n - 1 - i) * n + (n - 1 - j)] = y[j * n + i];
  return u;
}
