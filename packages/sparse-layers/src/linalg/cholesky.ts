import { type Matrix, zeros } from "./matrix.js";

/** Thrown when a matrix meant to be a Gram matrix is not positive definite even after damping. */
export class NotPositiveDefiniteError extends Error {
  override name = "NotPositiveDefiniteError";
}

/**
 * The lower-triangular L with G = L·Lᵀ. `damp` adds damp·mean(diag G) to the diagonal first, as
 * GPTQ and SVD-LLM do: calibration Gram matrices are often singular (dead or duplicated input
 * channels) and a little ridge keeps the factor finite without moving the well-conditioned part.
 */
export function cholesky(g: Matrix, damp = 0): Matrix {
  const n = g.rows;
  if (g.cols !== n) throw new RangeError(`cholesky: matrix is [${g.rows}, ${g.cols}], not square`);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += g.data[i * n + i] / n;
  const ridge = damp * meanDiag;
  const l = zeros(n, n);
  const L = l.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = g.data[i * n + j] + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(`cholesky: pivot ${i} is ${s} (raise the damping)`);
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  return l;
}

/** X with Lᵀ·X = B for lower-triangular L (back substitution, one column of B at a time). */
export function solveTransposedLower(l: Matrix, b: Matrix): Matrix {
  const n = l.rows;
  const L = l.data;
  const x = zeros(n, b.cols);
  for (let c = 0; c < b.cols; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = b.data[i * b.cols + c];
      for (let j = i + 1; j < n; j++) s -= L[j * n + i] * x.data[j * b.cols + c];
      x.data[i * b.cols + c] = s / L[i * n + i];
    }
  }
  return x;
}

/** X with G·X = B for symmetric positive definite G (two triangular solves on its Cholesky factor). */
export function solvePositiveDefinite(g: Matrix, b: Matrix, damp = 0): Matrix {
  const l = cholesky(g, damp);
  const n = l.rows;
  const L = l.data;
  const y = zeros(n, b.cols);
  for (let c = 0; c < b.cols; c++) {
    for (let i = 0; i < n; i++) {
      let s = b.data[i * b.cols + c];
      for (let j = 0; j < i; j++) s -= L[i * n + j] * y.data[j * b.cols + c];
      y.data[i * b.cols + c] = s / L[i * n + i];
    }
  }
  return solveTransposedLower(l, y);
}
