import type { Tensor } from "@shrinkray/tensor-cuda";
import { KdOptionError } from "./errors.js";

export type KdKind =
  | "forward_kl"
  | "reverse_kl"
  | "symmetric_kl"
  | "jsd"
  | "skew_kl"
  | "skew_reverse_kl"
  | "tvd";

export const KD_KINDS: readonly KdKind[] = [
  "forward_kl",
  "reverse_kl",
  "symmetric_kl",
  "jsd",
  "skew_kl",
  "skew_reverse_kl",
  "tvd",
];

/** "mean" over unmasked tokens, "sum" over unmasked tokens, or "none": per token [B, T] (masked = 0). */
export type Reduction = "mean" | "sum" | "none";

/** What to do with the teacher's probability mass outside its top-k ids. */
export type TopkMissingMass = "renormalize" | "bucket";

/** Options shared by every divergence. */
export interface KdCommonOptions {
  /** Softens both distributions (logits / T); the loss is multiplied by T² (Hinton). Default 1. */
  temperature?: number;
  /** [B, T]; nonzero keeps a token. Default: every token. */
  mask?: Tensor;
  /** Default "mean" (over unmasked tokens). */
  reduction?: Reduction;
  /** For top-k teachers only. Default "renormalize". */
  topkMissingMass?: TopkMissingMass;
}

export interface KdOptions extends KdCommonOptions {
  kind: KdKind;
  /** Generalized JSD weight (kind "jsd"): 0 → forward KL, 1 → reverse KL. Default 0.5. */
  beta?: number;
  /** Skew (kinds "skew_kl", "skew_reverse_kl"): share of the mixture given to the own side. Default 0.1. */
  alpha?: number;
}

/** Options after defaults and validation: what the divergences read. */
export interface ResolvedKdOptions {
  kind: KdKind;
  temperature: number;
  beta: number;
  alpha: number;
  reduction: Reduction;
  topkMissingMass: TopkMissingMass;
}

function unitInterval(name: string, v: number, kind: KdKind): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new KdOptionError(`kdLoss(${kind}): ${name} must be a number in [0, 1], got ${v}`);
  }
  return v;
}

export function resolveOptions(opts: KdOptions): ResolvedKdOptions {
  const kind = opts.kind;
  if (!KD_KINDS.includes(kind)) {
    throw new KdOptionError(
      `kdLoss: unknown kind ${JSON.stringify(kind)}; expected one of ${KD_KINDS.join(", ")}`,
    );
  }
  const temperature = opts.temperature ?? 1;
  if (typeof temperature !== "number" || !Number.isFinite(temperature) || temperature <= 0) {
    throw new KdOptionError(`kdLoss(${kind}): temperature must be a finite number > 0, got ${temperature}`);
  }
  const reduction = opts.reduction ?? "mean";
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new KdOptionError(
      `kdLoss(${kind}): reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`,
    );
  }
  const topkMissingMass = opts.topkMissingMass ?? "renormalize";
  if (topkMissingMass !== "renormalize" && topkMissingMass !== "bucket") {
    throw new KdOptionError(
      `kdLoss(${kind}): topkMissingMass must be "renormalize" or "bucket", got ${JSON.stringify(topkMissingMass)}`,
    );
  }
  // Only the option the kind reads is validated, so a shared options object with an unused
  // field does not fail.
  const beta = kind === "jsd" ? unitInterval("beta", opts.beta ?? 0.5, kind) : 0.5;
  const alpha =
    kind === "skew_kl" || kind === "skew_reverse_kl" ? unitInterval("alpha", opts.alpha ?? 0.1, kind) : 0.1;
  return { kind, temperature, beta, alpha, reduction, topkMissingMass };
}
