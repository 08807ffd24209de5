import { fmt } from "../shape.js";
import { type Tensor, wrap } from "../tensor.js";
import { checkSquare, kernelsFor } from "./check.js";
import { ConvergenceError } from "./errors.js";

/**
 * Eigendecomposition of a symmetric A [n, n] = V·diag(values)·Vᵀ: values [n] ascending, the
 * orthonormal eigenvectors in V's columns (torch.linalg.eigh's convention). Only A's lower
 * triangle is read.
 */
export function eigh(a: Tensor, opts: { name?: string } = {}): { values: Tensor; vectors: Tensor } {
  const op = "linalg.eigh";
  const name = opts.name ?? "A";
  const n = checkSquare(op, a, name);
  const r = kernelsFor(op, a).eigh(a.storage, n);
  if (r.info !== 0) {
    r.values.dispose();
    r.vectors.dispose();
    throw new ConvergenceError(`${op}: the eigendecomposition of ${name} ${fmt(a.shape)} did not converge`);
  }
  return { values: wrap(r.values, [n]), vectors: wrap(r.vectors, [n, n]) };
}
