import { type KernelModel, noModel } from "../../../../testing/cuda/emulator/kernel-model.js";

/*
 * A JavaScript model of linalg.cu for the emulated device (test-only): the diagonal-block
 * Cholesky, panel solve and triangular inverse as plain float64 loops.
 */

export const linalgModel: KernelModel = (mem, name, a) => {
  const num = (i: number) => Number(a[i]);
  const f64 = (i: number, n: number) =>
    mem.array(a[i] as bigint, "float64", n, `${name} parameter ${i}`) as Float64Array;
  const ints = (i: number, n: number) =>
    mem.array(a[i] as bigint, "int32", n, `${name} parameter ${i}`) as Int32Array;

  switch (name) {
    case "chol_diag_f64": {
      const [n, k, nb] = [1, 2, 3].map(num);
      const A = f64(0, n * n);
      const info = ints(4, 1);
      const at = (i: number, j: number) => (k + i) * n + k + j;
      for (let j = 0; j < nb; j++) {
        let d = A[at(j, j)];
        for (let q = 0; q < j; q++) d -= A[at(j, q)] * A[at(j, q)];
        if (!(d > 0) && info[0] === 0) info[0] = k + j + 1;
        A[at(j, j)] = Math.sqrt(d);
        for (let i = j + 1; i < nb; i++) {
          let s = A[at(i, j)];
          for (let q = 0; q < j; q++) s -= A[at(i, q)] * A[at(j, q)];
          A[at(i, j)] = s / A[at(j, j)];
        }
      }
      return;
    }
    case "chol_panel_f64": {
      const [n, k, nb] = [1, 2, 3].map(num);
      const A = f64(0, n * n);
      for (let i = k + nb; i < n; i++) {
        for (let j = 0; j < nb; j++) {
          let s = A[i * n + k + j];
          for (let q = 0; q < j; q++) s -= A[i * n + k + q] * A[(k + j) * n + k + q];
          A[i * n + k + j] = s / A[(k + j) * n + k + j];
        }
      }
      return;
    }
    case "trtri_diag_f64": {
      const [n, k, nb] = [2, 3, 4].map(num);
      const L = f64(0, n * n);
      const X = f64(1, n * n);
      const at = (i: number, j: number) => (k + i) * n + k + j;
      for (let j = 0; j < nb; j++) {
        for (let r = j; r < nb; r++) {
          let s = r === j ? 1 : 0;
          for (let q = j; q < r; q++) s -= L[at(r, q)] * X[at(q, j)];
          X[at(r, j)] = s / L[at(r, r)];
        }
      }
      return;
    }
    default:
      noModel(name);
  }
};
