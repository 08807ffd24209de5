import { add, nn, type Tensor } from "@shrinkray/tensor-cuda";
import { loraFlops, loraParams } from "./counts.js";
import { LowRankAdapter, type LowRankOptions } from "./low-rank.js";

export interface LoRALinearOptions extends LowRankOptions {
  /** Train the base weight too (default false: the base is frozen, as in LoRA). */
  trainBase?: boolean;
}

/** y = base(x) + (α/r) · dropout(x) Aᵀ Bᵀ around an existing Linear (LoRA, Hu et al. 2021). */
export class LoRALinear extends nn.Module {
  base: nn.Linear;
  lora: LowRankAdapter;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly trainBase: boolean;

  constructor(
    base: nn.Linear,
    readonly rank: number,
    opts: LoRALinearOptions = {},
  ) {
    super();
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    this.trainBase = opts.trainBase ?? false;
    this.base = this.child("base_layer", base);
    // Frozen means no gradient is even computed for it; the optimizer then skips it too.
    for (const p of base.parameters()) p.requiresGrad_(this.trainBase);
    this.lora = this.child("lora", new LowRankAdapter(this.inFeatures, this.outFeatures, rank, opts));
  }

  forward(x: Tensor): Tensor {
    return add(this.base.call(x), this.lora.call(x));
  }

  /** A plain Linear computing the same function (dropout off): W + (α/r)·B·A. */
  merge(): nn.Linear {
    const out = new nn.Linear(this.inFeatures, this.outFeatures, { bias: this.base.bias !== null });
    const sd: Record<string, Tensor> = { weight: add(this.base.weight.detach(), this.lora.deltaWeight()) };
    if (this.base.bias) sd.bias = this.base.bias.detach();
    out.loadStateDict(sd);
    return out;
  }

  numParametersFormula(opts: { trainableOnly?: boolean } = {}): number {
    const bias = this.base.bias !== null;
    return loraParams(this.inFeatures, this.outFeatures, this.rank, bias, {
      ...opts,
      trainBase: this.trainBase,
    });
  }

  flopsPerToken(): number {
    return loraFlops(this.inFeatures, this.outFeatures, this.rank, this.base.bias !== null);
  }
}
