import { causalSoftmax, logSoftmax, softmax } from "../../../../ops/index.js";
import { type AddParityCase, input, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of softmax.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on "cuda" and
 * compares every output and gradient): softmax and log-softmax with gradients, causal after a KV
 * cache.
 */

export function softmaxParity(add: AddParityCase): void {
  add("softmax and log-softmax with gradients", (d) => {
    const x = input(d, [6, 77], 34, { grad: true, scale: 3 });
    return withGrads([softmax(x, -1).add(logSoftmax(x, -1).mul(0.1))], [x]);
  });
  add("causal softmax after a KV cache (offset)", (d) => {
    const x = input(d, [2, 3, 5, 9], 35, { grad: true });
    return withGrads([causalSoftmax(x, 4)], [x]);
  });
}
