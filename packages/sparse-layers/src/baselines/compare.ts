import { type nn, noGrad, square, sub, sum, type Tensor } from "@shrinkray/tensor-cuda";
import { groupedLoraParams } from "../layers/counts.js";
import { applyMask, countKept, inputChannelNorms, magnitudeMask, nmMask, wandaMask } from "./masks.js";

export interface BaselineResult {
  method: "magnitude" | "wanda" | "2:4" | "2:4-wanda";
  /** Weights kept (the parameter count the comparison is made at; bias not included). */
  kept: number;
  /** ‖ŷ − y‖ / ‖y‖ of the pruned layer against the dense one on the calibration rows. */
  relError: number;
}

/**
 * The pruning baselines for one layer, on the same calibration rows as the sparse layer: the
 * unstructured ones at the weight count of a grouped + rank-r replacement (equal parameters),
 * 2:4 at its fixed 50%.
 */
export function compareBaselines(
  dense: nn.Linear,
  x: Tensor,
  groups: number,
  rank: number,
): BaselineResult[] {
  const keep = groupedLoraParams(dense.inFeatures, dense.outFeatures, groups, rank, false);
  const norms = inputChannelNorms(x);
  const y = noGrad(() => dense.call(x));
  const rel = (m: Uint8Array) => relativeError(applyMask(dense, m), x, y);
  const masks = [
    ["magnitude", magnitudeMask(dense.weight, keep)],
    ["wanda", wandaMask(dense.weight, norms, keep)],
    ["2:4", nmMask(dense.weight, 2, 4)],
    ["2:4-wanda", nmMask(dense.weight, 2, 4, norms)],
  ] as const;
  return masks.map(([method, m]) => ({ method, kept: countKept(m), relError: rel(m) }));
}

/** ‖m(x) − y‖ / ‖y‖. */
export function relativeError(m: nn.AnyModule, x: Tensor, y: Tensor): number {
  return noGrad(() => Math.sqrt(sum(square(sub(m.call(x), y))).item() / sum(square(y)).item()));
}
