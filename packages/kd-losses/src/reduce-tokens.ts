import { div, maximum, sum, type Tensor, where } from "@shrinkray/tensor-cuda";
import type { Reduction } from "./options.js";

/**
 * Per-token losses [B, T] → the requested reduction over kept tokens. Masked tokens are selected
 * away (not multiplied by 0, which would turn an infinite masked loss into NaN). The mean's
 * count stays on the device: no synchronous read in the training step. With no kept token the
 * mean is 0, not 0/0.
 */
export function reduceTokens(perToken: Tensor, keep: Tensor | null, reduction: Reduction): Tensor {
  const kept = keep ? where(keep, perToken, 0) : perToken;
  if (reduction === "none") return kept;
  const total = sum(kept);
  if (reduction === "sum") return total;
  const count = keep ? maximum(sum(keep.cast(perToken.dtype)), 1) : perToken.size;
  return div(total, count);
}
