/*
 * The dense linear algebra GPTQ needs on its [in, in] Hessian: Cholesky, the inverse from a
 * Cholesky factor, and the upper factor of that inverse. Done in float64 (then rounded to
 * float32 once) so the small differences from LAPACK's float32 blocking do not accumulate: the
 * inverse of a damped Hessian is ill-conditioned enough for float32 noise to reach the weights.
 * Loops run along rows so every inner loop reads contiguous memory.
 */

/** Thrown when the (damped) Hessian is not positive definite. */
export class NotPositiveDefiniteError extends Error {
  override name = "NotPositiveDefiniteError";
}

/** Lower Cholesky factor L (A = L Lᵀ) of a symmetric n×n matrix; only A's lower triangle is read. */
export function cholesky(a: Float64Array, n: number, what = "matrix"): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      if (j < i) l[ri + j] = s / l[rj + j];
      else {
        if (!(s > 0)) {
          throw new NotPositiveDefiniteError(`cholesky: ${what} is not positive definite (pivot ${i} is ${s})`);
        }
        l[ri + i] = Math.sqrt(s);
      }
    }
  }
  return l;
}

/** L⁻¹ of a lower-triangular L, row by row: row i = (eᵢ − Σₖ L[i,k]·row k) / L[i,i]. */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    x[ri + i] = 1;
    for (let k = 0; k < i; k++) {
      const c = l[ri + k];
      if (c === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) x[ri + j] -= c * x[rk + j];
    }
    const d = l[ri + i];
    for (let j = 0; j <= i; j++) x[ri + j] /= d;
  }
  return x;
}

/** A⁻¹ = L⁻ᵀ L⁻¹ from A's Cholesky factor (torch.cholesky_inverse), symmetric and full. */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const x = invertLower(l, n);
  const out = new Float64Array(n * n);
  // (XᵀX)[a,b] = Σₖ X[k,a]·X[k,b]: one rank-1 update of the lower triangle per row k of X.
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let a = 0; a <= k; a++) {
      const xa = x[rk + a];
      if (xa === 0) continue;
      const ra = a * n;
      for (let b = 0; b <= a; b++) out[ra + b] += xa * x[rk + b];
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) out[b * n + a] = out[a * n + b];
  return out;
}

/**
 * The upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU), as float32 [n, n]: row i of U holds the
 * coefficients GPTQ spreads column i's quantization error with.
 */
export function inverseHessianFactor(h: Float32Array | Float64Array, n: number): Float32Array {
  const a = Float64Array.from(h);
  const inv = choleskyInverse(cholesky(a, n, "the damped Hessian"), n);
  const l = cholesky(inv, n, "the inverse Hessian");
  const u = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) u[j * n + i] = l[i * n + j];
  return u;
}
