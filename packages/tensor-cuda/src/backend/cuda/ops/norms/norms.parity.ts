import { layerNorm, rmsNorm, softmax } from "../../../../ops/index.js";
import { type AddParityCase, input, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of norms.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on "cuda" and
 * compares every output and gradient): layer norm and RMS norm with and without parameters, float64.
 */

export function normsParity(add: AddParityCase): void {
  add("layer norm with and without affine parameters", (d) => {
    const x = input(d, [5, 3, 48], 37, { grad: true, scale: 2, shift: 1 });
    const w = input(d, [48], 38, { grad: true });
    const b = input(d, [48], 39, { grad: true });
    return withGrads([layerNorm(x, w, b).add(layerNorm(x, null, null))], [x, w, b]);
  });
  add("RMS norm with and without a weight", (d) => {
    const x = input(d, [7, 64], 40, { grad: true });
    const w = input(d, [64], 41, { grad: true });
    return withGrads([rmsNorm(x, w).add(rmsNorm(x, null))], [x, w]);
  });
  add(
    "layer norm and softmax in float64",
    (d) => {
      const x = input(d, [4, 20], 42, { grad: true, dtype: "float64" });
      return withGrads([layerNorm(x).add(softmax(x, -1))], [x]);
    },
    { atol: 1e-12, rtol: 1e-10 },
  );
}
