import type { Tensor } from "@shrinkray/tensor-cuda";

/**
 * A dense row-major float64 matrix on the host: the form calibration Gram matrices (XᵀX) are
 * accumulated and passed around in. The factorisations run on tensors (tensor-cuda's linalg).
 */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** A 2-D tensor of any float dtype, copied into float64. */
export function fromTensor(t: Tensor): Matrix {
  if (t.rank !== 2) throw new RangeError(`expected a 2-D tensor, got shape [${t.shape.join(", ")}]`);
  const data = Float64Array.from(t.cast("float64").dataSync() as Float64Array);
  return { rows: t.shape[0], cols: t.shape[1], data };
}
