/*
 * Dense linear algebra on Tensors (float32 and float64): the one place GPTQ, sparse-layers and
 * anything else get factorisations. No gradients flow through these ops. Each runs on the
 * device's `linalg` kernels: on the CPU, LAPACK from the system OpenBLAS when present, else
 * blocked algorithms whose O(n³) work is in the GEMM; other devices say they have none yet.
 */

import type { Device } from "../backend/backend.js";
import { getBackend } from "../backend/registry.js";

export { type CholeskyOptions, cholesky, choleskyOfInverse } from "./cholesky.js";
export { eigh } from "./eigh.js";
export { ConvergenceError, LinalgError, NotPositiveDefiniteError, SingularMatrixError } from "./errors.js";
export { type SvdOptions, type SvdResult, svd } from "./svd.js";
export {
  type SolveTriangularOptions,
  solveTriangular,
  type TriangularOptions,
  triangularInverse,
} from "./triangular.js";

/** What linalg runs on for `device` now, e.g. "LAPACK (libopenblas.so.0)" or "blocked (GEMM-based)". */
export function implementation(device: Device = "cpu"): string {
  return getBackend(device).linalg?.implementation() ?? "none";
}
