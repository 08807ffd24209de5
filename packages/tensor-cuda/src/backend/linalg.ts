import type { Storage } from "./backend.js";

/** op(A)·X = B (left) or X·op(A) = B (right) for a triangular A [n, n] and B [rows, cols]. */
export interface TriangularSolveSpec {
  n: number;
  rows: number;
  cols: number;
  /** A's triangle: only it is read. */
  upper: boolean;
  left: boolean;
  /** op(A) = Aᵀ. */
  transpose: boolean;
  /** A's diagonal is taken to be ones (and not read). */
  unitDiagonal: boolean;
}

/**
 * Dense linear algebra on one row-major matrix: the optional backend extension the `linalg` ops
 * call (the CPU has it; a device without it gets a clear error from the op). Inputs are never
 * written. `info` follows LAPACK: 0, or the 1-based order of the leading minor that failed (or
 * the count of values that did not converge), for the op to turn into an error.
 */
export interface LinalgKernels {
  /** What a call made now would run on, e.g. "LAPACK (libopenblas.so.0)" or "blocked". */
  implementation(): string;
  /** The lower L (A = L·Lᵀ) or upper U (A = Uᵀ·U) factor of a symmetric A; one triangle is read. */
  cholesky(a: Storage, n: number, upper: boolean): { factor: Storage; info: number };
  /**
   * The upper U with A⁻¹ = Uᵀ·U for a symmetric positive definite A (see linalg.choleskyOfInverse);
   * `info` counts rows of the reversed A, as its Cholesky factorisation does.
   */
  choleskyOfInverse(a: Storage, n: number): { factor: Storage; info: number };
  /** The inverse of a triangular A (the other triangle of the result is zero). */
  triangularInverse(
    a: Storage,
    n: number,
    upper: boolean,
    unitDiagonal: boolean,
  ): { inverse: Storage; info: number };
  solveTriangular(a: Storage, b: Storage, spec: TriangularSolveSpec): Storage;
  /** A = V·diag(values)·Vᵀ for a symmetric A: values ascending, eigenvectors in V's columns. */
  eigh(a: Storage, n: number): { values: Storage; vectors: Storage; info: number };
  /**
   * A [m, n] = U·diag(S)·Vh, S descending, k = min(m, n): U [m, k] and Vh [k, n], or with
   * `full` the square U [m, m] and Vh [n, n].
   */
  svd(a: Storage, m: number, n: number, full: boolean): { u: Storage; s: Storage; vh: Storage; info: number };
}
