/**
 * What the student minimises: a kd-losses divergence on the learned positions, optionally mixed
 * with cross-entropy on the data's own next tokens, or any function of the same inputs.
 */
import { ceKdMixture, type KdOptions, kdLoss } from "@shrinkray/kd-losses";
import type { Tensor } from "@shrinkray/tensor-cuda";
import type { TeacherOutput } from "./teacher-source.js";

export interface LossInputs {
  /** int32 [B, T], −100 where a position is not learned. */
  labels: Tensor;
  /** float32 [B, T], 1 where a position is learned. */
  mask: Tensor;
}

export type LossFunction = (studentLogits: Tensor, teacher: TeacherOutput, inputs: LossInputs) => Tensor;

/** A kd-losses kind with its options; `ceWeight` > 0 mixes in CE on the labels (Hinton's α). */
export type KdLossSpec = Omit<KdOptions, "mask" | "reduction"> & { ceWeight?: number };

export type LossSpec = KdLossSpec | LossFunction;

export function resolveLoss(spec: LossSpec | undefined): { fn: LossFunction; name: string } {
  if (typeof spec === "function") return { fn: spec, name: spec.name || "custom" };
  const s: KdLossSpec = spec ?? { kind: "forward_kl" };
  const { ceWeight = 0, ...kd } = s;
  const name = ceWeight > 0 ? `${ceWeight}·ce + ${1 - ceWeight}·${kd.kind}` : kd.kind;
  const fn: LossFunction =
    ceWeight > 0
      ? (student, teacher, { labels, mask }) =>
          ceKdMixture(student, labels, teacher, { alpha: ceWeight, kd, mask })
      : (student, teacher, { mask }) => kdLoss(student, teacher, { ...kd, mask, reduction: "mean" });
  return { fn, name };
}
