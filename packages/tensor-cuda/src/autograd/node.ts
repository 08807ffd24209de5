import type { Tensor } from "../tensor.js";

/**
 * One recorded operation on the tape: the tensors it read and how to turn the gradient of its
 * output into gradients of those inputs (null where an input needs none).
 */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  backward(gradOutput: Tensor): readonly (Tensor | null)[];
}
