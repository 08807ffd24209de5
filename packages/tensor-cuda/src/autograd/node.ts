import type { Tensor } from "../tensor.js";

/**
 * One recorded operation on the tape: the tensors it read and how to turn the gradient of its
 * output into gradients of those inputs (null where an input needs none).
 */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  backward(gradOutput: Tensor): readonly (Tensor | null)[];
  /** Tensors the backward rule reads besides the inputs (a where-condition, gather indices). */
  readonly saved?: readonly Tensor[];
  /** Set when this output is one of several of a multi-output op. */
  readonly member?: GroupMember;
  /** Set once backward() has released this node's holds (a second release does nothing). */
  released?: boolean;
}

/**
 * An op with several outputs (split): its backward runs once, with the gradient of every output
 * (null for outputs nothing used), so the input gradient is assembled in one pass instead of as a
 * sum of mostly-zero full-size tensors.
 */
export interface MultiOutputGroup {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly size: number;
  /** Set once backward() has released the group's holds on its inputs. */
  released?: boolean;
  backward(gradOutputs: readonly (Tensor | null)[]): readonly (Tensor | null)[];
}

export interface GroupMember {
  readonly group: MultiOutputGroup;
  readonly index: number;
}
