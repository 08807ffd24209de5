import { crossEntropy } from "../../../../ops/index.js";
import type { Tensor } from "../../../../tensor.js";
import { type AddParityCase, input, ints, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of cross_entropy.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on
 * "cuda" and compares every output and gradient): ignored targets, label smoothing, reductions,
 * float64.
 */

export function crossEntropyParity(add: AddParityCase): void {
  add("cross-entropy with ignored targets and label smoothing", (d) => {
    const logits = input(d, [2, 5, 13], 36, { grad: true, scale: 2 });
    const t = ints(d, [1, 12, -100, 0, 5, 7, 7, -100, 3, 2], [2, 5]);
    const loss = crossEntropy(logits, t, { labelSmoothing: 0.1 });
    loss.backward();
    return [loss, logits.grad as Tensor];
  });
  add("cross-entropy over 1000 classes, sum and none reductions", (d) => {
    const logits = input(d, [6, 1000], 62, { grad: true, scale: 3 });
    const t = ints(d, [5, 999, 0, -100, 512, 7], [6]);
    const none = crossEntropy(logits, t, { reduction: "none", labelSmoothing: 0.05 });
    const total = crossEntropy(logits, t, { reduction: "sum" });
    return withGrads([none.add(total)], [logits]);
  });
  add(
    "cross-entropy in float64",
    (d) => {
      const logits = input(d, [4, 9], 63, { grad: true, dtype: "float64" });
      const loss = crossEntropy(logits, ints(d, [8, 0, 3, 3], [4]));
      loss.backward();
      return [loss, logits.grad as Tensor];
    },
    { atol: 1e-12, rtol: 1e-10 },
  );
}
