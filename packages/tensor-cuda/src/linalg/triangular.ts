import { fmt, ShapeError } from "../shape.js";
import { type Tensor, wrap } from "../tensor.js";
import { checkMatrix, checkSquare, kernelsFor } from "./check.js";
import { SingularMatrixError } from "./errors.js";

export interface TriangularOptions {
  /** A is upper triangular (only that triangle is read); default false. */
  upper?: boolean;
  /** A's diagonal is taken to be ones and not read; default false. */
  unitDiagonal?: boolean;
  /** What to call the matrix in an error; default "A". */
  name?: string;
}

/** The inverse of a triangular A [n, n] (same triangle; the other one is zero). */
export function triangularInverse(a: Tensor, opts: TriangularOptions = {}): Tensor {
  const op = "linalg.triangularInverse";
  const name = opts.name ?? "A";
  const n = checkSquare(op, a, name);
  const { inverse, info } = kernelsFor(op, a).triangularInverse(
    a.storage,
    n,
    opts.upper ?? false,
    opts.unitDiagonal ?? false,
  );
  if (info !== 0) {
    inverse.dispose();
    throw new SingularMatrixError(
      `${op}: ${name} ${fmt(a.shape)} is singular: diagonal entry ${info - 1} is zero`,
    );
  }
  return wrap(inverse, [n, n]);
}

export interface SolveTriangularOptions extends Omit<TriangularOptions, "upper"> {
  /** Which triangle of A holds it (required, as in torch.linalg.solve_triangular). */
  upper: boolean;
  /** Solve op(A)·X = B (default) or, false, X·op(A) = B. */
  left?: boolean;
  /** op(A) = Aᵀ; default false. */
  transpose?: boolean;
}

/**
 * X with op(A)·X = B (or X·op(A) = B) for a triangular A [n, n] and B [n, k] ([k, n] on the
 * right), in A's precision (B must match). Substitution, not an inverse: as accurate as LAPACK's
 * trsm on the CPU with OpenBLAS, blocked products otherwise.
 */
export function solveTriangular(a: Tensor, b: Tensor, opts: SolveTriangularOptions): Tensor {
  const op = "linalg.solveTriangular";
  const n = checkSquare(op, a, opts.name ?? "A");
  const [rows, cols] = checkMatrix(op, b, "B");
  if (b.dtype !== a.dtype) throw new ShapeError(`${op}: A is ${a.dtype} but B is ${b.dtype}`);
  if (b.device !== a.device) throw new Error(`${op}: A is on ${a.device} but B is on ${b.device}`);
  const left = opts.left ?? true;
  if ((left ? rows : cols) !== n) {
    throw new ShapeError(
      `${op}: A is ${fmt(a.shape)} but B is ${fmt(b.shape)}; B needs ${n} ${left ? "rows" : "columns"}` +
        `${left ? "" : " (left: false)"}`,
    );
  }
  const x = kernelsFor(op, a).solveTriangular(a.storage, b.storage, {
    n,
    rows,
    cols,
    upper: opts.upper,
    left,
    transpose: opts.transpose ?? false,
    unitDiagonal: opts.unitDiagonal ?? false,
  });
  return wrap(x, [rows, cols]);
}
