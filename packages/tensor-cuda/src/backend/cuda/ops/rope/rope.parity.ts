import { rope, ropeTables } from "../../../../ops/index.js";
import { type AddParityCase, input, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of rope.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on "cuda" and
 * compares every output and gradient): the rotation and its gradient.
 */

export function ropeParity(add: AddParityCase): void {
  add("RoPE on [B, H, T, D] with its gradient", (d) => {
    const x = input(d, [2, 3, 7, 10], 64, { grad: true });
    const { cos, sin } = ropeTables(7, 10, 500);
    return withGrads([rope(x, cos.to(d), sin.to(d))], [x]);
  });
}
