/** A factorisation met a matrix it cannot handle (the message names the matrix and the pivot). */
export class LinalgError extends Error {
  override name = "LinalgError";
}

/** Cholesky of a matrix that is not (numerically) positive definite. */
export class NotPositiveDefiniteError extends LinalgError {
  override name = "NotPositiveDefiniteError";
  constructor(
    message: string,
    /** 0-based index of the first pivot that was not positive. */
    readonly pivot: number,
  ) {
    super(message);
  }
}

/** A triangular matrix with a zero on its diagonal. */
export class SingularMatrixError extends LinalgError {
  override name = "SingularMatrixError";
}

/** An iterative decomposition (eigh, SVD) that did not converge. */
export class ConvergenceError extends LinalgError {
  override name = "ConvergenceError";
}
