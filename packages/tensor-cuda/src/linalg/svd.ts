import { narrow } from "../ops/layout.js";
import { fmt } from "../shape.js";
import { type Tensor, wrap } from "../tensor.js";
import { checkMatrix, kernelsFor } from "./check.js";
import { ConvergenceError } from "./errors.js";

export interface SvdOptions {
  /** Square U [m, m] and Vh [n, n] (torch's full_matrices); default false: the economy SVD. */
  full?: boolean;
  /** Keep only the leading `rank` triplets (the best rank-r approximation, Eckart–Young). */
  rank?: number;
  /** What to call the matrix in an error; default "A". */
  name?: string;
}

export interface SvdResult {
  /** [m, k]: left singular vectors in the columns. */
  U: Tensor;
  /** [k], descending. */
  S: Tensor;
  /** [k, n]: right singular vectors in the rows (Vᵀ), as torch.linalg.svd returns it. */
  Vh: Tensor;
}

/**
 * A [m, n] = U·diag(S)·Vh. By default the economy SVD, k = min(m, n); `full` gives square
 * factors, `rank` the leading triplets only. Divide and conquer (LAPACK gesdd) on the CPU with
 * OpenBLAS, block Jacobi otherwise.
 */
export function svd(a: Tensor, opts: SvdOptions = {}): SvdResult {
  const op = "linalg.svd";
  const name = opts.name ?? "A";
  const [m, n] = checkMatrix(op, a, name);
  const full = opts.full ?? false;
  const rank = opts.rank;
  if (rank !== undefined && !(Number.isInteger(rank) && rank >= 0)) {
    throw new RangeError(`${op}: rank must be a non-negative integer, got ${rank}`);
  }
  if (rank !== undefined && full) throw new RangeError(`${op}: rank and full cannot be combined`);
  const r = kernelsFor(op, a).svd(a.storage, m, n, full);
  const k = Math.min(m, n);
  const U = wrap(r.u, [m, full ? m : k]);
  const S = wrap(r.s, [k]);
  const Vh = wrap(r.vh, [full ? n : k, n]);
  if (r.info !== 0) {
    for (const t of [U, S, Vh]) t.dispose();
    throw new ConvergenceError(`${op}: the SVD of ${name} ${fmt(a.shape)} did not converge`);
  }
  if (rank === undefined || rank >= k) return { U, S, Vh };
  const out = {
    U: narrow(U, 1, 0, rank).contiguous(),
    S: narrow(S, 0, 0, rank).contiguous(),
    Vh: narrow(Vh, 0, 0, rank).contiguous(),
  };
  for (const t of [U, S, Vh]) t.dispose();
  return out;
}
