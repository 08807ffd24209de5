import { mul, type Tensor } from "@shrinkray/tensor-cuda";
import { tokenDivergence } from "./divergences.js";
import { type KdCommonOptions, type KdOptions, resolveOptions } from "./options.js";
import { reduceTokens } from "./reduce-tokens.js";
import { logProbPair } from "./support.js";
import { checkInputs, type Teacher } from "./teacher.js";

/**
 * A distillation loss of student logits [B, T, V] against a teacher (dense logits or top-k),
 * per token, times T², reduced over the tokens the mask keeps. Differentiable in the student;
 * the teacher is treated as a constant.
 */
export function kdLoss(student: Tensor, teacher: Teacher, opts: KdOptions): Tensor {
  const o = resolveOptions(opts);
  const keep = checkInputs(student, teacher, opts.mask);
  const { logP, logQ } = logProbPair(student, teacher, keep, o);
  const perToken = tokenDivergence(o, logP, logQ);
  // Hinton's T²: softening by T shrinks the gradients by 1/T², this restores their scale.
  const scaled = o.temperature === 1 ? perToken : mul(perToken, o.temperature * o.temperature);
  return reduceTokens(scaled, keep, o.reduction);
}

/** KL(p_teacher || q_student): mass-covering. */
export const forwardKl = (student: Tensor, teacher: Teacher, opts: KdCommonOptions = {}) =>
  kdLoss(student, teacher, { ...opts, kind: "forward_kl" });

/** KL(q_student || p_teacher): mode-seeking (MiniLLM). */
export const reverseKl = (student: Tensor, teacher: Teacher, opts: KdCommonOptions = {}) =>
  kdLoss(student, teacher, { ...opts, kind: "reverse_kl" });

/** KL(p || q) + KL(q || p). */
export const symmetricKl = (student: Tensor, teacher: Teacher, opts: KdCommonOptions = {}) =>
  kdLoss(student, teacher, { ...opts, kind: "symmetric_kl" });

/** GKD's generalized JSD(β); β = 0 is forward KL, β = 1 reverse KL. */
export const generalizedJsd = (
  student: Tensor,
  teacher: Teacher,
  opts: KdCommonOptions & { beta?: number } = {},
) => kdLoss(student, teacher, { ...opts, kind: "jsd" });

/** DistiLLM's skew KL: KL(p || α p + (1 − α) q). */
export const skewKl = (student: Tensor, teacher: Teacher, opts: KdCommonOptions & { alpha?: number } = {}) =>
  kdLoss(student, teacher, { ...opts, kind: "skew_kl" });

/** DistiLLM's skew reverse KL: KL(q || (1 − α) p + α q). */
export const skewReverseKl = (
  student: Tensor,
  teacher: Teacher,
  opts: KdCommonOptions & { alpha?: number } = {},
) => kdLoss(student, teacher, { ...opts, kind: "skew_reverse_kl" });

/** Total variation distance ½ Σ |p − q|. */
export const totalVariation = (student: Tensor, teacher: Teacher, opts: KdCommonOptions = {}) =>
  kdLoss(student, teacher, { ...opts, kind: "tvd" });
