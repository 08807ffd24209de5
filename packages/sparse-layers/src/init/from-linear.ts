import { div, type nn, Tensor } from "@shrinkray/tensor-cuda";
import { GroupedLinear } from "../layers/grouped-linear.js";
import { GroupedLoRALinear, type GroupedLoRALinearOptions } from "../layers/grouped-lora-linear.js";
import type { Matrix } from "../linalg/matrix.js";
import { type DecomposeOptions, type Decomposition, decompose } from "./decompose.js";
import { gramOf } from "./gram.js";

export interface FromLinearOptions
  extends GroupedLoRALinearOptions,
    Pick<DecomposeOptions, "damp" | "blocks" | "refine" | "svd"> {
  /** Calibration inputs [..., in] for activation-aware initialisation. */
  calibration?: Tensor;
  /** Or their XᵀX, when it was accumulated batch by batch (GramAccumulator). */
  gram?: Matrix;
}

/**
 * A GroupedLoRALinear initialised from a dense Linear: W's diagonal blocks for the grouped part,
 * the truncated SVD of the remainder for the low-rank part (see `decompose`), W's bias as is.
 */
export function groupedLoraFromLinear(
  linear: nn.Linear,
  groups: number,
  rank: number,
  opts: FromLinearOptions = {},
): { module: GroupedLoRALinear; decomposition: Decomposition } {
  const m = new GroupedLoRALinear(linear.inFeatures, linear.outFeatures, groups, rank, {
    ...opts,
    bias: linear.bias !== null,
  });
  const perm = m.grouped.perm ? (m.grouped.perm.dataSync() as Int32Array) : null;
  const gram = opts.gram ?? (opts.calibration ? gramOf(opts.calibration) : null);
  const dec = decompose(linear.weight.detach(), { ...opts, groups, rank, perm, gram });
  m.grouped.weight.assign(dec.blocks);
  if (linear.bias && m.grouped.bias) m.grouped.bias.assign(linear.bias.detach());
  m.lora.A.assign(dec.A);
  // The module multiplies by α/r; the factorisation already carries the full scale.
  const b = div(dec.B, m.lora.scale);
  m.lora.B.assign(b);
  b.dispose();
  return { module: m, decomposition: dec };
}

/**
 * A GroupedLinear holding W's diagonal blocks (after the permutation): the block-diagonal-only
 * baseline the low-rank part is measured against, and the grouped part of a rank-0 policy.
 */
export function groupedFromLinear(
  linear: nn.Linear,
  groups: number,
  opts: Pick<FromLinearOptions, "permutation" | "generator" | "device"> = {},
): GroupedLinear {
  const g = new GroupedLinear(linear.inFeatures, linear.outFeatures, groups, {
    ...opts,
    bias: linear.bias !== null,
  });
  const w = linear.weight.detach().cast("float64").dataSync() as Float64Array;
  const p = g.perm ? (g.perm.dataSync() as Int32Array) : null;
  const [, outPer, inPer] = g.weight.shape;
  const blocks = new Float64Array(g.weight.size);
  let i = 0;
  for (let b = 0; b < groups; b++) {
    for (let o = 0; o < outPer; o++) {
      for (let k = 0; k < inPer; k++) {
        const j = b * inPer + k;
        blocks[i++] = w[(b * outPer + o) * linear.inFeatures + (p ? p[j] : j)];
      }
    }
  }
  g.weight.assign(Tensor.from(blocks, g.weight.shape, { dtype: "float64" }));
  if (linear.bias && g.bias) g.bias.assign(linear.bias.detach());
  return g;
}
