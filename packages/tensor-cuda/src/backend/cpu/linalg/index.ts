import type { Storage } from "../../backend.js";
import type { LinalgKernels } from "../../linalg.js";
import { CpuStorage, cpu } from "../storage.js";
import { choleskyBlocked, solveTriangularBlocked, triangularInverseBlocked } from "./blocked.js";
import { type Real, reversed } from "./dense.js";
import { eighJacobi, svdJacobi } from "./jacobi.js";
import {
  choleskyLapack,
  eighLapack,
  lapack,
  lapackLibrary,
  solveTriangularLapack,
  svdLapack,
  triangularInverseLapack,
} from "./lapack.js";

/*
 * The CPU's linalg: LAPACK from the system OpenBLAS when there is one, else the blocked
 * algorithms (their O(n³) work in the GEMM). SHRINKRAY_LINALG=blocked forces the fallback (CI
 * tests it that way), =lapack insists on the library; SHRINKRAY_GEMM=ort hides OpenBLAS entirely.
 */
function useLapack(): boolean {
  const choice = process.env.SHRINKRAY_LINALG;
  if (choice === "blocked") return false;
  const have = lapack() !== null;
  if (choice === "lapack" && !have) {
    throw new Error("SHRINKRAY_LINALG=lapack but no system OpenBLAS with LAPACK was found");
  }
  return have;
}

const real = (s: Storage): Real => cpu(s).data as Real;
const wrap = (like: Storage, data: Real): Storage => new CpuStorage(like.dtype, data);

export const cpuLinalg: LinalgKernels = {
  implementation: () => (useLapack() ? `LAPACK (${lapackLibrary()})` : "blocked (GEMM-based)"),
  cholesky(a, n, upper) {
    const r = (useLapack() ? choleskyLapack : choleskyBlocked)(real(a), n, upper);
    return { factor: wrap(a, r.factor), info: r.info };
  },
  choleskyOfInverse(a, n) {
    // J·A·J = L̃·L̃ᵀ  ⇒  U = J·L̃⁻¹·J (linalg.choleskyOfInverse explains why).
    const lapackHere = useLapack();
    const chol = (lapackHere ? choleskyLapack : choleskyBlocked)(reversed(real(a), n), n, false);
    if (chol.info !== 0) return { factor: wrap(a, chol.factor), info: chol.info };
    const inv = (lapackHere ? triangularInverseLapack : triangularInverseBlocked)(
      chol.factor,
      n,
      false,
      false,
    );
    return { factor: wrap(a, reversed(inv.inverse, n)), info: inv.info === 0 ? 0 : n + 1 - inv.info };
  },
  triangularInverse(a, n, upper, unitDiagonal) {
    const r = (useLapack() ? triangularInverseLapack : triangularInverseBlocked)(
      real(a),
      n,
      upper,
      unitDiagonal,
    );
    return { inverse: wrap(a, r.inverse), info: r.info };
  },
  solveTriangular(a, b, spec) {
    return wrap(b, (useLapack() ? solveTriangularLapack : solveTriangularBlocked)(real(a), real(b), spec));
  },
  eigh(a, n) {
    const r = (useLapack() ? eighLapack : eighJacobi)(real(a), n);
    return { values: wrap(a, r.values), vectors: wrap(a, r.vectors), info: r.info };
  },
  svd(a, m, n, full) {
    const r = (useLapack() ? svdLapack : svdJacobi)(real(a), m, n, full);
    return { u: wrap(a, r.u), s: wrap(a, r.s), vh: wrap(a, r.vh), info: r.info };
  },
};
