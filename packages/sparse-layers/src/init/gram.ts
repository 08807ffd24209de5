import { matmul, reshape, type Tensor, transpose } from "@shrinkray/tensor-cuda";
import type { Matrix } from "../linalg/matrix.js";

/**
 * Running XᵀX over calibration inputs [..., in], accumulated in float64 one batch at a time so
 * the inputs themselves need not be kept. Activation-aware initialisation reads only this.
 */
export class GramAccumulator {
  readonly gram: Matrix;
  rows = 0;

  constructor(readonly features: number) {
    this.gram = { rows: features, cols: features, data: new Float64Array(features * features) };
  }

  add(x: Tensor): this {
    const n = this.features;
    if (x.shape[x.rank - 1] !== n)
      throw new RangeError(`GramAccumulator: input has ${x.shape[x.rank - 1]} features, expected ${n}`);
    const x2 = reshape(x.detach().cast("float64"), [-1, n]);
    const g = matmul(transpose(x2), x2).dataSync() as Float64Array;
    for (let i = 0; i < g.length; i++) this.gram.data[i] += g[i];
    this.rows += x2.shape[0];
    return this;
  }
}

/** XᵀX of one tensor of inputs [..., in]. */
export function gramOf(x: Tensor): Matrix {
  return new GramAccumulator(x.shape[x.rank - 1]).add(x).gram;
}
