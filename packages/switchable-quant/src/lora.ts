import { type Generator, linear, nn, Tensor } from "@shrinkray/tensor-cuda";

export interface LoraOptions {
  rank: number;
  /** Scale numerator: the update is (alpha / rank)·B·A, as PEFT defines it; default 2·rank. */
  alpha?: number;
  generator?: Generator;
}

/**
 * A low-rank update x ↦ (α/r)·x·Aᵀ·Bᵀ with A [r, in] and B [out, r]. B starts at zero, so adding
 * an adapter leaves the layer's output unchanged until it trains (PEFT's initialisation; A as
 * PyTorch's Linear, U(−1/√in, 1/√in)).
 */
export class LoraAdapter extends nn.Module {
  loraA: Tensor;
  loraB: Tensor;
  readonly scaling: number;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly opts: LoraOptions,
  ) {
    super();
    const { rank } = opts;
    if (!(Number.isInteger(rank) && rank > 0))
      throw new RangeError(`LoraAdapter: rank must be a positive integer, got ${rank}`);
    this.scaling = (opts.alpha ?? 2 * rank) / rank;
    this.loraA = this.param(
      "lora_A",
      new nn.Linear(inFeatures, rank, { bias: false, generator: opts.generator }).weight.detach(),
    );
    this.loraB = this.param("lora_B", Tensor.zeros([outFeatures, rank]));
  }

  forward(x: Tensor): Tensor {
    return linear(linear(x, this.loraA), this.loraB).mul(this.scaling);
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, rank=${this.opts.rank}, scaling=${this.scaling}`;
  }
}
