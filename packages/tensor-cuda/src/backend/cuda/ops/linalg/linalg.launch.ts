import type { Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";

/*
 * Blocked float64 factorisations on the device (GPTQ's inverse-Hessian factor): the diagonal
 * blocks in linalg.cu, the trailing updates as cuBLAS DGEMMs, which carry almost all the work.
 */

/** Rows per diagonal block of the float64 factorisations (LINALG_NB in linalg.cu). */
export const LINALG_NB = 64;

export interface Zeros {
  zeros(dtype: Storage["dtype"], n: number): CudaStorage;
}

export class LinalgOps {
  constructor(
    private readonly c: CudaContext,
    private readonly ew: Zeros,
  ) {}

  /**
   * a (float64 [n, n], row-major) ← its lower Cholesky factor, in place (the upper triangle is
   * left as scratch). info[0] becomes 1 + the first non-positive pivot, if there is one.
   */
  choleskyLower(a: CudaStorage, n: number, info: CudaStorage): void {
    for (let k = 0; k < n; k += LINALG_NB) {
      const nb = Math.min(LINALG_NB, n - k);
      this.c.launch("chol_diag_f64", [a.address(), n, k, nb, info.address()], [1, 1, 1], [256, 1, 1]);
      const below = n - k - nb;
      if (below === 0) break;
      this.c.launch("chol_panel_f64", [a.address(), n, k, nb], this.c.rowsGrid(below, 128), [128, 1, 1]);
      // Trailing update A[k+nb:, k+nb:] −= P·Pᵀ with P = A[k+nb:, k:k+nb]: the n³/3 of the work.
      const panel = this.c.ptr(a, (k + nb) * n + k);
      this.c.blas.gemm({
        dtype: "float64",
        batch: 1,
        m: below,
        k: nb,
        n: below,
        transA: false,
        transB: true,
        aBatched: true,
        bBatched: true,
        a: panel,
        b: panel,
        c: this.c.ptr(a, (k + nb) * n + k + nb),
        beta: 1,
        alpha: -1,
        tf32: false,
        lda: n,
        ldb: n,
        ldc: n,
      });
    }
  }

  /** L⁻¹ (float64 [n, n], lower) of a lower-triangular L, by block rows. */
  invertLower(l: CudaStorage, n: number): CudaStorage {
    const x = this.ew.zeros("float64", n * n);
    const t = this.c.alloc("float64", LINALG_NB * n);
    for (let k = 0; k < n; k += LINALG_NB) {
      const nb = Math.min(LINALG_NB, n - k);
      this.c.launch("trtri_diag_f64", [l.address(), x.address(), n, k, nb], [1, 1, 1], [LINALG_NB, 1, 1]);
      if (k === 0) continue;
      // X[k:k+nb, 0:k] = −X_kk · (L[k:k+nb, 0:k] · X[0:k, 0:k]).
      const base = {
        dtype: "float64",
        batch: 1,
        transA: false,
        transB: false,
        aBatched: true,
        bBatched: true,
        tf32: false,
      } as const;
      this.c.blas.gemm({
        ...base,
        m: nb,
        k,
        n: k,
        a: this.c.ptr(l, k * n),
        b: x.address(),
        c: t.address(),
        beta: 0,
        lda: n,
        ldb: n,
        ldc: k,
      });
      this.c.blas.gemm({
        ...base,
        m: nb,
        k: nb,
        n: k,
        a: this.c.ptr(x, k * n + k),
        b: t.address(),
        c: this.c.ptr(x, k * n),
        beta: 0,
        alpha: -1,
        lda: n,
        ldb: k,
        ldc: n,
      });
    }
    t.dispose();
    return x;
  }
}
