import type { TriangularSolveSpec } from "../../linalg.js";
import { openBlas } from "../openblas.js";
import { type Real, sameKind, transposed, zeroTriangle } from "./dense.js";
import { CBLAS, LAPACK_PROTOTYPES, type LapackRoutine } from "./lapack-table.js";

/*
 * Row-major matrices handed to column-major LAPACK: a row-major array read column-major is the
 * transpose. A symmetric matrix is its own transpose, so its lower factor is LAPACK's upper one
 * of the same array (and the other way round); an SVD of Aᵀ hands back A's U and Vh already in
 * row-major order. Inputs are copied: LAPACK works in place.
 */

type Routine = (...args: unknown[]) => void;
type Bound = Record<LapackRoutine, Routine>;
let bound: { s: Bound; d: Bound } | null | undefined;

/** The routines of both precisions, or null without an OpenBLAS that has them all. */
export function lapack(): { s: Bound; d: Bound } | null {
  if (bound !== undefined) return bound;
  bound = null;
  const blas = openBlas();
  if (!blas) return null;
  try {
    const bind = (p: "s" | "d") =>
      Object.fromEntries(
        Object.entries(LAPACK_PROTOTYPES).map(([name, proto]) => [
          name,
          blas.lib.func(proto.replace("?", p).replace("REAL", p === "s" ? "float" : "double")),
        ]),
      ) as Bound;
    bound = { s: bind("s"), d: bind("d") };
  } catch {
    // A BLAS without LAPACK (or an older one missing a routine): the blocked path does the work.
  }
  return bound;
}

/** The library's name when LAPACK is usable. */
export function lapackLibrary(): string | null {
  return lapack() ? openBlas()!.name : null;
}

function routines(x: Real): Bound {
  const l = lapack();
  if (!l) throw new Error("linalg: LAPACK is not available (no system OpenBLAS)");
  return x instanceof Float32Array ? l.s : l.d;
}

export function choleskyLapack(a: Real, n: number, upper: boolean): { factor: Real; info: number } {
  const x = a.slice();
  const info = [0];
  if (n > 0) routines(x).potrf(upper ? "L" : "U", [n], x, [n], info, 1);
  zeroTriangle(x, n, !upper);
  return { factor: x, info: info[0] };
}

export function triangularInverseLapack(
  a: Real,
  n: number,
  upper: boolean,
  unitDiagonal: boolean,
): { inverse: Real; info: number } {
  const x = a.slice();
  zeroTriangle(x, n, !upper);
  const info = [0];
  if (n > 0) routines(x).trtri(upper ? "L" : "U", unitDiagonal ? "U" : "N", [n], x, [n], info, 1, 1);
  if (unitDiagonal) for (let i = 0; i < n; i++) x[i * n + i] = 1;
  return { inverse: x, info: info[0] };
}

export function solveTriangularLapack(a: Real, b: Real, spec: TriangularSolveSpec): Real {
  const x = b.slice();
  const { n, rows, cols } = spec;
  if (rows === 0 || cols === 0) return x;
  routines(x).trsm(
    CBLAS.rowMajor,
    spec.left ? CBLAS.left : CBLAS.right,
    spec.upper ? CBLAS.upper : CBLAS.lower,
    spec.transpose ? CBLAS.trans : CBLAS.noTrans,
    spec.unitDiagonal ? CBLAS.unit : CBLAS.nonUnit,
    rows,
    cols,
    1,
    a,
    n,
    x,
    cols,
  );
  return x;
}

export function eighLapack(a: Real, n: number): { values: Real; vectors: Real; info: number } {
  const x = a.slice();
  const values = sameKind(a, n);
  const info = [0];
  if (n === 0) return { values, vectors: x, info: 0 };
  const f = routines(x).syevd;
  const work = sameKind(a, 1);
  const iwork = new Int32Array(1);
  f("V", "L", [n], x, [n], values, work, [-1], iwork, [-1], info, 1, 1);
  const lwork = Math.ceil(work[0]);
  const liwork = iwork[0];
  f("V", "L", [n], x, [n], values, sameKind(a, lwork), [lwork], new Int32Array(liwork), [liwork], info, 1, 1);
  // Column-major eigenvectors are the rows of the row-major array: one transpose gives V.
  return { values, vectors: transposed(x, n, n), info: info[0] };
}

export function svdLapack(
  a: Real,
  m: number,
  n: number,
  full: boolean,
): { u: Real; s: Real; vh: Real; info: number } {
  const k = Math.min(m, n);
  const uCols = full ? m : k;
  const vhRows = full ? n : k;
  const s = sameKind(a, k);
  const u = sameKind(a, m * uCols);
  const vh = sameKind(a, vhRows * n);
  const info = [0];
  if (k === 0) {
    // An empty side: the other factor is any orthonormal basis; the identity will do.
    if (full) for (let i = 0; i < m; i++) u[i * m + i] = 1;
    if (full) for (let i = 0; i < n; i++) vh[i * n + i] = 1;
    return { u, s, vh, info: 0 };
  }
  const x = a.slice();
  const f = routines(x).gesdd;
  const jobz = full ? "A" : "S";
  const iwork = new Int32Array(8 * k);
  const work = sameKind(a, 1);
  // The array is Aᵀ [n, m] to LAPACK: its U [n, ·] is our Vhᵀ, its Vᵀ [·, m] our Uᵀ, each read
  // back in row-major order.
  f(jobz, [n], [m], x, [n], s, vh, [n], u, [uCols], work, [-1], iwork, info, 1);
  const lwork = Math.ceil(work[0]);
  f(jobz, [n], [m], x, [n], s, vh, [n], u, [uCols], sameKind(a, lwork), [lwork], iwork, info, 1);
  return { u, s, vh, info: info[0] };
}
