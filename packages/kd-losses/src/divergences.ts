import { add, mul, type Tensor } from "@shrinkray/tensor-cuda";
import { klAlongLast, logMix, tvdAlongLast } from "./log-space.js";
import type { ResolvedKdOptions } from "./options.js";

/**
 * Per-token divergence between the teacher p and the student q, both given as log-probabilities
 * on the same support (last axis); the last axis is reduced away.
 */
export function tokenDivergence(
  o: Pick<ResolvedKdOptions, "kind" | "beta" | "alpha">,
  logP: Tensor,
  logQ: Tensor,
) {
  switch (o.kind) {
    case "forward_kl":
      return klAlongLast(logP, logQ);
    case "reverse_kl":
      return klAlongLast(logQ, logP);
    case "symmetric_kl":
      return add(klAlongLast(logP, logQ), klAlongLast(logQ, logP));
    case "jsd":
      return generalizedJsd(logP, logQ, o.beta);
    case "skew_kl":
      // DistiLLM: KL(p || α p + (1 − α) q).
      return klAlongLast(logP, logMix(o.alpha, logP, 1 - o.alpha, logQ));
    case "skew_reverse_kl":
      // DistiLLM: KL(q || (1 − α) p + α q).
      return klAlongLast(logQ, logMix(1 - o.alpha, logP, o.alpha, logQ));
    case "tvd":
      return tvdAlongLast(logP, logQ);
  }
}

/**
 * GKD's JSD(β) = β KL(p || m) + (1 − β) KL(q || m), m = β p + (1 − β) q. Taken literally it is
 * 0 at both ends (m collapses onto the side whose weight survives); what GKD means by "β = 0 is
 * forward KL, β = 1 is reverse KL" is the limit of the normalised divergence — JSD(β)/β → KL(p||q)
 * as β → 0 and JSD(β)/(1 − β) → KL(q||p) as β → 1 — so the ends are those KLs exactly (as TRL's
 * GKD trainer and Liger's JSD kernel also define them).
 */
function generalizedJsd(logP: Tensor, logQ: Tensor, beta: number): Tensor {
  if (beta === 0) return klAlongLast(logP, logQ);
  if (beta === 1) return klAlongLast(logQ, logP);
  const logM = logMix(beta, logP, 1 - beta, logQ);
  return add(mul(klAlongLast(logP, logM), beta), mul(klAlongLast(logQ, logM), 1 - beta));
}
