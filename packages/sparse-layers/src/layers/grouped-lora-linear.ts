import { add, nn, type Tensor } from "@shrinkray/tensor-cuda";
import { groupedLoraFlops, groupedLoraParams } from "./counts.js";
import { GroupedLinear } from "./grouped-linear.js";
import { LowRankAdapter, type LowRankOptions } from "./low-rank.js";
import type { PermutationSpec } from "./permutation.js";

export interface GroupedLoRALinearOptions extends LowRankOptions {
  bias?: boolean;
  permutation?: PermutationSpec;
}

/**
 * Block-diagonal plus low-rank: y = blockdiag(W)·x[perm] + b + (α/r)·B·A·x. The blocks keep the
 * strong local structure of a dense weight, the low-rank path carries what couples the groups.
 * Both paths read the same input; only the grouped one is permuted.
 */
export class GroupedLoRALinear extends nn.Module {
  grouped: GroupedLinear;
  lora: LowRankAdapter;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly groups: number,
    readonly rank: number,
    opts: GroupedLoRALinearOptions = {},
  ) {
    super();
    this.grouped = this.child("grouped", new GroupedLinear(inFeatures, outFeatures, groups, opts));
    this.lora = this.child("lora", new LowRankAdapter(inFeatures, outFeatures, rank, opts));
  }

  forward(x: Tensor): Tensor {
    return add(this.grouped.call(x), this.lora.call(x));
  }

  /** The equivalent dense weight [out, in]. */
  denseWeight(): Tensor {
    return add(this.grouped.denseWeight(), this.lora.deltaWeight());
  }

  /** A plain Linear computing the same function (dropout off), for tools that want one. */
  merge(): nn.Linear {
    const out = new nn.Linear(this.inFeatures, this.outFeatures, { bias: this.grouped.bias !== null });
    const sd: Record<string, Tensor> = { weight: this.denseWeight() };
    if (this.grouped.bias) sd.bias = this.grouped.bias.detach();
    out.loadStateDict(sd);
    return out;
  }

  numParametersFormula(): number {
    return groupedLoraParams(
      this.inFeatures,
      this.outFeatures,
      this.groups,
      this.rank,
      this.grouped.bias !== null,
    );
  }

  flopsPerToken(): number {
    return groupedLoraFlops(
      this.inFeatures,
      this.outFeatures,
      this.groups,
      this.rank,
      this.grouped.bias !== null,
    );
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, groups=${this.groups}, rank=${this.rank}`;
  }
}
