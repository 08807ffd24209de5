import type { QuantGridSpec } from "../backend/backend.js";
import { DTypeError, fmt, ShapeError } from "../shape.js";
import { Tensor } from "../tensor.js";
import { quantKernels } from "./kernels.js";

/** A quantization grid: b-bit codes, groups of `groupSize` input columns (−1: per channel), symmetric or not. */
export interface GridSpec {
  bits: number;
  groupSize: number;
  sym: boolean;
}

/** Columns per group, resolved against the layer's input width. */
export function groupLength(inFeatures: number, groupSize: number): number {
  return groupSize === -1 ? inFeatures : Math.min(groupSize, inFeatures);
}

/** The kernels' view of a grid over a weight [out, in]. */
export function gridSpecFor(weight: Tensor, spec: GridSpec, op: string): QuantGridSpec {
  if (weight.rank !== 2) throw new ShapeError(`${op}: weight must be [out, in], got ${fmt(weight.shape)}`);
  if (weight.dtype !== "float32") throw new DTypeError(`${op}: weight must be float32, got ${weight.dtype}`);
  if (!(Number.isInteger(spec.bits) && spec.bits >= 1 && spec.bits <= 16))
    throw new RangeError(`${op}: bits must be an integer in [1, 16], got ${spec.bits}`);
  if (!(spec.groupSize === -1 || (Number.isInteger(spec.groupSize) && spec.groupSize > 0)))
    throw new RangeError(`${op}: groupSize must be −1 or a positive integer, got ${spec.groupSize}`);
  const [out, inFeatures] = weight.shape;
  const groupLen = groupLength(inFeatures, spec.groupSize);
  return {
    out,
    inFeatures,
    groupLen,
    groups: Math.ceil(inFeatures / groupLen),
    maxq: 2 ** spec.bits - 1,
    sym: spec.sym,
  };
}

/**
 * The min-max grid of a weight [out, in]: float32 scale and integer-valued zero points, each
 * [groups, out] as GPTQ checkpoints lay them out, computed on the weight's device with the
 * reference's float32 arithmetic (so every device and gptq's own grids agree to the last bit).
 */
export function quantGrid(weight: Tensor, spec: GridSpec): { scale: Tensor; zero: Tensor } {
  const g = gridSpecFor(weight, spec, "quantGrid");
  const r = quantKernels(weight, "quantGrid").quantGrid(weight.storage, g);
  return { scale: new Tensor(r.scale, [g.groups, g.out]), zero: new Tensor(r.zero, [g.groups, g.out]) };
}
