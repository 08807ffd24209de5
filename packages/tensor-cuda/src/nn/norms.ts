import type { Device } from "../backend/backend.js";
import { layerNorm, rmsNorm } from "../ops/norm.js";
import { Tensor } from "../tensor.js";
import { Module } from "./module.js";

export interface LayerNormOptions {
  eps?: number;
  /** Learnable weight (and bias); default true. */
  elementwiseAffine?: boolean;
  /** Learnable bias when affine; default true (some models, e.g. OLMo, have none). */
  bias?: boolean;
  device?: Device;
}

/** torch.nn.LayerNorm over the last axis: weight starts at 1, bias at 0. */
export class LayerNorm extends Module {
  weight: Tensor | null = null;
  bias: Tensor | null = null;
  readonly eps: number;

  constructor(
    readonly dim: number,
    opts: LayerNormOptions = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    if (opts.elementwiseAffine ?? true) {
      this.weight = this.param("weight", Tensor.ones([dim], { device: opts.device }));
      if (opts.bias ?? true) this.bias = this.param("bias", Tensor.zeros([dim], { device: opts.device }));
    }
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }

  protected override extraRepr(): string {
    return `${this.dim}, eps=${this.eps}, affine=${this.weight !== null}, bias=${this.bias !== null}`;
  }
}

export interface RMSNormOptions {
  /** Default 1e-6, Llama's value (torch.nn.RMSNorm's default is the dtype's epsilon). */
  eps?: number;
  elementwiseAffine?: boolean;
  device?: Device;
}

/** x / sqrt(mean(x²) + eps) * weight over the last axis (Llama's RMSNorm); weight starts at 1. */
export class RMSNorm extends Module {
  weight: Tensor | null = null;
  readonly eps: number;

  constructor(
    readonly dim: number,
    opts: RMSNormOptions = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-6;
    if (opts.elementwiseAffine ?? true)
      this.weight = this.param("weight", Tensor.ones([dim], { device: opts.device }));
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }

  protected override extraRepr(): string {
    return `${this.dim}, eps=${this.eps}`;
  }
}
