/**
 * nn.Linear and nn.Embedding as the architectures build them. Loading a checkpoint overwrites
 * every weight, and PyTorch-style random init of half a billion parameters in JavaScript
 * costs seconds and a second copy of the model; so a model built for loading starts from
 * zeros. A model built from scratch ("random") gets the layers' usual initialisation.
 */
import { type Device, nn, Tensor } from "@shrinkray/tensor-cuda";

export type Init = "random" | "empty";

/** How Linear and Embedding weights are stored: float32, or a checkpoint's half width (widened per use). */
export type WeightDtype = "float32" | "bfloat16" | "float16";

export interface BuildOptions {
  init?: Init;
  device?: Device;
  /** Storage of Linear and Embedding weights (default float32); biases and norms stay float32. */
  dtype?: WeightDtype;
}

/** An nn.Linear (so compression passes find it), optionally allocated without initialisation. */
export class ModelLinear extends nn.Linear {
  constructor(inFeatures: number, outFeatures: number, bias: boolean, opts: BuildOptions = {}) {
    const empty = (opts.init ?? "empty") === "empty";
    super(empty ? 0 : inFeatures, empty ? 0 : outFeatures, { bias, device: opts.device });
    if (empty) {
      // inFeatures/outFeatures are readonly to users; they are set once here, before use.
      Object.assign(this, { inFeatures, outFeatures });
      this.weight = this.param(
        "weight",
        Tensor.zeros([outFeatures, inFeatures], { device: opts.device, dtype: opts.dtype }),
      );
      if (bias) this.bias = this.param("bias", Tensor.zeros([outFeatures], { device: opts.device }));
    } else if (opts.dtype && opts.dtype !== "float32") {
      this.weight = this.param("weight", this.weight.detach().cast(opts.dtype));
    }
  }

  /** Shares `weight` with another module (an LM head tied to the token embedding). */
  tie(weight: Tensor): this {
    this.weight = this.param("weight", weight);
    return this;
  }
}

export class ModelEmbedding extends nn.Embedding {
  constructor(num: number, dim: number, opts: BuildOptions = {}) {
    const empty = (opts.init ?? "empty") === "empty";
    super(empty ? 0 : num, empty ? 0 : dim, { device: opts.device });
    if (empty) {
      Object.assign(this, { numEmbeddings: num, embeddingDim: dim });
      this.weight = this.param(
        "weight",
        Tensor.zeros([num, dim], { device: opts.device, dtype: opts.dtype }),
      );
    } else if (opts.dtype && opts.dtype !== "float32") {
      this.weight = this.param("weight", this.weight.detach().cast(opts.dtype));
    }
  }
}
