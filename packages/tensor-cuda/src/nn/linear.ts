import { linear } from "../ops/matmul.js";
import type { Tensor } from "../tensor.js";
import { type InitOptions, uniformInit } from "./init.js";
import { Module } from "./module.js";

export interface LinearOptions extends InitOptions {
  bias?: boolean;
}

/**
 * y = x Wᵀ + b, with W stored [out, in] as PyTorch and Hugging Face store it, so checkpoint
 * tensors load without transposing. Compression passes find these by walking the module tree.
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    // PyTorch's default: kaiming_uniform(a=√5) on [out, in] reduces to U(-1/√in, 1/√in), and the
    // bias uses the same bound; drawing weight then bias matches its order of initialisation.
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = this.param("weight", uniformInit([outFeatures, inFeatures], bound, opts));
    this.bias = opts.bias === false ? null : this.param("bias", uniformInit([outFeatures], bound, opts));
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
