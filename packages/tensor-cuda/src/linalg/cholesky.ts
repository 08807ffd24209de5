import { fmt } from "../shape.js";
import { type Tensor, wrap } from "../tensor.js";
import { checkSquare, kernelsFor } from "./check.js";
import { NotPositiveDefiniteError } from "./errors.js";

export interface CholeskyOptions {
  /** Return the upper U = Lᵀ (A = Uᵀ·U) instead of the lower L; default false. */
  upper?: boolean;
  /** What to call the matrix in an error ("the damped Hessian"); default "A". */
  name?: string;
}

/**
 * The Cholesky factor of a symmetric positive definite A [n, n] (float32 or float64): the lower
 * L with A = L·Lᵀ, or with `upper` the U with A = Uᵀ·U. Only that triangle of A is read. A
 * matrix that is not positive definite throws NotPositiveDefiniteError naming it and the pivot.
 */
export function cholesky(a: Tensor, opts: CholeskyOptions = {}): Tensor {
  const op = "linalg.cholesky";
  const name = opts.name ?? "A";
  const n = checkSquare(op, a, name);
  const { factor, info } = kernelsFor(op, a).cholesky(a.storage, n, opts.upper ?? false);
  if (info !== 0) {
    factor.dispose();
    throw notPositiveDefinite(op, name, a, info - 1);
  }
  return wrap(factor, [n, n]);
}

/**
 * The upper U with A⁻¹ = Uᵀ·U for a symmetric positive definite A: what GPTQ spreads each
 * column's error with (the reference's cholesky(cholesky_inverse(cholesky(A)), upper)). One
 * factorisation and one triangular inverse give it: with J the reversal, J·A·J = L̃·L̃ᵀ makes
 * A = M·Mᵀ for the upper M = J·L̃·J, so A⁻¹ = (M⁻¹)ᵀ·M⁻¹ and U = M⁻¹ = J·L̃⁻¹·J. Computed in
 * A's precision; a pivot in an error counts rows of A from the end.
 */
export function choleskyOfInverse(a: Tensor, opts: Pick<CholeskyOptions, "name"> = {}): Tensor {
  const op = "linalg.choleskyOfInverse";
  const name = opts.name ?? "A";
  const n = checkSquare(op, a, name);
  const { factor, info } = kernelsFor(op, a).choleskyOfInverse(a.storage, n);
  if (info !== 0) {
    factor.dispose();
    // Row i of J·A·J is row n−1−i of A.
    throw notPositiveDefinite(op, name, a, n - info);
  }
  return wrap(factor, [n, n]);
}

function notPositiveDefinite(op: string, name: string, a: Tensor, pivot: number): NotPositiveDefiniteError {
  return new NotPositiveDefiniteError(
    `${op}: ${name} ${fmt(a.shape)} is not positive definite: pivot ${pivot} is not positive after elimination ` +
      "(a rank-deficient or indefinite matrix; damping its diagonal helps)",
    pivot,
  );
}
