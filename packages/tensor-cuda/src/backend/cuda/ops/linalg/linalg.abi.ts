import type { KernelFamily } from "../../kernel-abi.js";

/*
 * linalg.cu: float64 row-major [n, n]; k is the first row of the diagonal block, nb its size (at
 * most LINALG_NB = 64). The trailing updates between these kernels are cuBLAS DGEMMs.
 */
export const linalgAbi: KernelFamily = {
  file: "linalg.cu",
  kernels(add) {
    const n = "i64" as const;
    // (a, n, k, nb, info int32 [1]: 1 + the first non-positive pivot)
    add("chol_diag_f64", ["ptr", n, n, n, "ptr"]);
    // (a, n, k, nb): rows ≥ k+nb of the panel solve against the factored diagonal block
    add("chol_panel_f64", ["ptr", n, n, n]);
    // (l, x, n, k, nb): x's diagonal block = the inverse of l's
    add("trtri_diag_f64", ["ptr", "ptr", n, n, n]);
  },
};
