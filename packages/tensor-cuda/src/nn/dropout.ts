import { dropout } from "../ops/loss.js";
import { defaultGenerator, type Generator } from "../random.js";
import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

/** Inverted dropout while training; the identity after eval(). */
export class Dropout extends Module {
  private readonly generator: Generator;

  constructor(
    readonly p = 0.5,
    opts: { generator?: Generator } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
    this.generator = opts.generator ?? defaultGenerator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
