import { argmax, argmin, logsumexp, max, mean, min, sum, variance } from "../../../../ops/index.js";
import { Tensor } from "../../../../tensor.js";
import { type AddParityCase, input, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of reduce.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on "cuda" and
 * compares every output and gradient): sums, means, variances, min/max and arg-reductions, split into
 * chunks where long.
 */

export function reduceParity(add: AddParityCase): void {
  add("sum, mean, variance over rows and columns", (d) => {
    const x = input(d, [7, 300], 19, { grad: true });
    return withGrads([sum(x, 1), sum(x, 0), mean(x), variance(x, 1), logsumexp(x, 1)], [x]);
  });
  add("max, min, argmax, argmin with ties and NaN", (d) => {
    const vals = [1, 3, 3, -2, Number.NaN, 5, 0, 0, -1, 4, Number.NaN, Number.NaN];
    const x = Tensor.from(Float32Array.from(vals), [3, 4]).to(d);
    return [max(x, 1), min(x, 1), argmax(x, 1), argmin(x, 1), max(x, 0), argmax(x, 0), argmin(x, 0)];
  });
  add("long reductions (split into chunks on the GPU): bias-gradient shape and full sums", (d) => {
    const x = input(d, [1024, 96], 65, { grad: true });
    const flat = input(d, [70_000], 66);
    return withGrads([sum(x, 0)], [x]).concat([max(x, 0), min(x, 0), sum(flat), max(flat), flat.gt(0).sum()]);
  });
  add("sums of bools count into int32", (d) => {
    const x = input(d, [5, 600], 20).gt(0);
    return [sum(x, 1), sum(x, 0), sum(x)];
  });
}
