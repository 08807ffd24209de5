import { linear, matmul, matmulNT } from "../../../../ops/index.js";
import { type AddParityCase, input, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of the cuBLAS GEMMs (test-only: testing/cuda/parity.ts runs each on the CPU and on
 * "cuda" and compares every output and gradient): batched, transposed, float64, and the bias rows
 * elementwise.cu fills first.
 */

export function matmulParity(add: AddParityCase): void {
  add("matmul, batched with a shared operand, and matmulNT", (d) => {
    const a = input(d, [2, 5, 7], 21, { grad: true });
    const b = input(d, [7, 3], 22, { grad: true });
    const c = input(d, [4, 7], 23, { grad: true });
    return withGrads([matmul(a, b).sum(-1).add(matmulNT(a, c).sum(-1))], [a, b, c]);
  });
  add("linear with bias, forward and backward", (d) => {
    const x = input(d, [3, 4, 16], 24, { grad: true });
    const w = input(d, [10, 16], 25, { grad: true, scale: 0.25 });
    const bias = input(d, [10], 26, { grad: true });
    return withGrads([linear(x, w, bias)], [x, w, bias]);
  });
  add(
    "float64 matmul",
    (d) => {
      const a = input(d, [9, 13], 27, { dtype: "float64" });
      const b = input(d, [13, 6], 28, { dtype: "float64" });
      return [matmul(a, b), matmul(b.transpose(0, 1), a.transpose(0, 1))];
    },
    { atol: 1e-12, rtol: 1e-12 },
  );
}
