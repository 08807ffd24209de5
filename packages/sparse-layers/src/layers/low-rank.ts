import { linear, matmul, mul, nn, Tensor } from "@shrinkray/tensor-cuda";
import { lowRankFlops, lowRankParams } from "./counts.js";
import { uniformInit } from "./init.js";

/** scale · (x Aᵀ) Bᵀ, the scale applied to the r-wide intermediate where it costs r multiplies. */
export function lowRank(x: Tensor, a: Tensor, b: Tensor, scale: number): Tensor {
  const h = linear(x, a);
  return linear(scale === 1 ? h : mul(h, scale), b);
}

export interface LowRankOptions extends nn.InitOptions {
  /** LoRA's α: the update is scaled by α / rank. Default: rank (scale 1). */
  alpha?: number;
  /** Dropout on the adapter's input while training (LoRA's lora_dropout). Default 0. */
  dropout?: number;
}

/**
 * The rank-r path shared by LoRALinear and GroupedLoRALinear: A [r, in], B [out, r]. PEFT's
 * initialisation — A kaiming-uniform(a=√5), i.e. U(±1/√in), and B = 0 — makes the adapter start
 * as an exact no-op, so wrapping a layer does not change the model before training.
 */
export class LowRankAdapter extends nn.Module {
  A: Tensor;
  B: Tensor;
  readonly scale: number;
  readonly alpha: number;
  drop: nn.Dropout;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly rank: number,
    opts: LowRankOptions = {},
  ) {
    super();
    if (!Number.isInteger(rank) || rank < 1)
      throw new RangeError(`rank must be a positive integer, got ${rank}`);
    this.alpha = opts.alpha ?? rank;
    this.scale = this.alpha / rank;
    this.A = this.param("A", uniformInit([rank, inFeatures], 1 / Math.sqrt(inFeatures), opts));
    this.B = this.param("B", Tensor.zeros([outFeatures, rank], { device: opts.device }));
    this.drop = this.child("dropout", new nn.Dropout(opts.dropout ?? 0, { generator: opts.generator }));
  }

  forward(x: Tensor): Tensor {
    return lowRank(this.drop.call(x), this.A, this.B, this.scale);
  }

  /** scale · B·A, the dense [out, in] update this adapter adds. */
  deltaWeight(): Tensor {
    return mul(matmul(this.B.detach(), this.A.detach()), this.scale);
  }

  flopsPerToken(): number {
    return lowRankFlops(this.inFeatures, this.outFeatures, this.rank);
  }

  numParametersFormula(): number {
    return lowRankParams(this.inFeatures, this.outFeatures, this.rank);
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, rank=${this.rank}, alpha=${this.alpha}`;
  }
}
