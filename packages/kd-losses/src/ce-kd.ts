import { add, crossEntropy, DTypeError, mul, ne, ShapeError, type Tensor } from "@shrinkray/tensor-cuda";
import { KdOptionError } from "./errors.js";
import { kdLoss } from "./kd-loss.js";
import type { KdOptions, Reduction } from "./options.js";
import { reduceTokens } from "./reduce-tokens.js";
import type { Teacher } from "./teacher.js";

export interface CeKdOptions {
  /** Weight of the cross-entropy: loss = α · CE + (1 − α) · KD, α in [0, 1]. */
  alpha: number;
  /** The distillation term (its own `alpha` is the skew of skew KLs, not this weight). */
  kd: Omit<KdOptions, "mask" | "reduction">;
  /** Labels equal to this count for neither term by default. Default -100. */
  ignoreIndex?: number;
  /** Tokens the KD term covers ([B, T], nonzero keeps). Default: labels ≠ ignoreIndex. */
  mask?: Tensor;
  /** Applied to each term over its own tokens; "none" gives per-token [B, T]. Default "mean". */
  reduction?: Reduction;
}

/**
 * α · CE(student, labels) + (1 − α) · KD(student, teacher). The CE is on the raw logits
 * (temperature 1, as Hinton's hard-target term); the KD term carries its own temperature and T².
 * A term whose weight is 0 is not computed, so it cannot contribute 0 · inf = NaN.
 */
export function ceKdMixture(student: Tensor, labels: Tensor, teacher: Teacher, opts: CeKdOptions): Tensor {
  const { alpha } = opts;
  if (typeof alpha !== "number" || !Number.isFinite(alpha) || alpha < 0 || alpha > 1) {
    throw new KdOptionError(`ceKdMixture: alpha (the CE weight) must be a number in [0, 1], got ${alpha}`);
  }
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const reduction = opts.reduction ?? "mean";
  if (labels.rank !== 2 || labels.shape[0] !== student.shape[0] || labels.shape[1] !== student.shape[1]) {
    throw new ShapeError(
      `ceKdMixture: labels must be [B, T] = [${student.shape.slice(0, 2).join(", ")}], got [${labels.shape.join(", ")}]`,
    );
  }
  if (!["int32", "int64", "uint8", "int8"].includes(labels.dtype)) {
    throw new DTypeError(`ceKdMixture: labels must be integer ids, got ${labels.dtype}`);
  }
  const labeled = ne(labels.cast("int32"), ignoreIndex);
  const terms: Tensor[] = [];
  if (alpha > 0) {
    const ce = crossEntropy(student, labels, { ignoreIndex, reduction: "none" });
    terms.push(mul(reduceTokens(ce, labeled, reduction), alpha));
  }
  if (alpha < 1) {
    const kd = kdLoss(student, teacher, { ...opts.kd, mask: opts.mask ?? labeled, reduction });
    terms.push(mul(kd, 1 - alpha));
  }
  return terms.length === 1 ? terms[0] : add(terms[0], terms[1]);
}
