import { embedding } from "../ops/indexing.js";
import type { Tensor } from "../tensor.js";
import { type InitOptions, normalInit } from "./init.js";
import { Module } from "./module.js";

/** A lookup table [numEmbeddings, dim]; initialised N(0, 1) as torch.nn.Embedding. */
export class Embedding extends Module {
  weight: Tensor;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: InitOptions = {},
  ) {
    super();
    this.weight = this.param("weight", normalInit([numEmbeddings, embeddingDim], 1, opts));
  }

  /** ids of any shape (int32 or int64) → [...ids.shape, dim]. */
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids);
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}
