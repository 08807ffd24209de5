import { quant, ShapeError, Tensor } from "@shrinkray/tensor-cuda";
import { checkBitWidth, checkGroupSize, isQuantized, type QuantSpec } from "./bits.js";
import { groupLength } from "./grid.js";

/*
 * Fake quantization of a weight [out, in]: ŵ = s·(clamp(round(w/s) + z, 0, 2^b − 1) − z) with one
 * scale s and integer zero z per (group, output channel), rounding half to even as torch and gptq
 * do. The op, its kernels on every device and its STE/LSQ backward live in tensor-cuda's
 * `quant` module; here they meet the bit-width conventions of this package (16 and 32 bits are
 * the float weight itself).
 */

export interface FakeQuantOptions {
  /** Multiplies the gradient of the step size (LSQ's g); default 1. */
  gradScale?: number;
}

function checkMatrix(weight: Tensor, where: string): void {
  if (weight.rank !== 2)
    throw new ShapeError(`${where}: weight must be [out, in], got [${weight.shape.join(", ")}]`);
}

/**
 * Fake-quantizes `weight` [out, in] on a given grid: `scale` [groups, out] (may require grad:
 * that is LSQ) and integer zero points [groups, out] (host values, or a tensor; one already on
 * the weight's device is used as it is). Gradients: STE to the weight, LSQ to the scale.
 */
export function fakeQuantizeWithGrid(
  weight: Tensor,
  scale: Tensor,
  zeroPoints: Float32Array | Tensor,
  spec: QuantSpec,
  opts: FakeQuantOptions = {},
): Tensor {
  checkBitWidth(spec.bits, "fakeQuantizeWithGrid");
  if (!isQuantized(spec.bits)) return weight;
  checkMatrix(weight, "fakeQuantizeWithGrid");
  const [out, inF] = weight.shape;
  const groups = Math.ceil(inF / groupLength(inF, spec.groupSize));
  const count = zeroPoints instanceof Tensor ? zeroPoints.size : zeroPoints.length;
  if (scale.size !== groups * out || count !== groups * out) {
    throw new ShapeError(
      `fakeQuantizeWithGrid: scale and zero must be [${groups}, ${out}] for a [${out}, ${inF}] weight in groups of ${groupLength(inF, spec.groupSize)}, got scale [${scale.shape.join(", ")}] and ${count} zeros`,
    );
  }
  // A zero-point tensor already on the device (SwitchableLinear keeps one) saves an upload.
  const zero =
    zeroPoints instanceof Tensor && zeroPoints.device === weight.device && zeroPoints.dtype === "float32"
      ? zeroPoints.reshape([groups, out])
      : (zeroPoints instanceof Tensor ? zeroPoints.cast("float32") : Tensor.from(zeroPoints))
          .reshape([groups, out])
          .to(weight.device);
  const s =
    scale.dtype === "float32" ? scale.reshape([groups, out]) : scale.cast("float32").reshape([groups, out]);
  return quant.fakeQuantize(weight, s, zero, spec, { gradScale: opts.gradScale ?? 1 });
}

/**
 * Fake-quantizes `weight` on its own min-max grid (recomputed from the current weight, so it
 * follows training); the gradient reaches the weight through the STE. Widths 16 and 32 return
 * the weight itself.
 */
export function fakeQuantize(weight: Tensor, spec: QuantSpec): Tensor {
  checkBitWidth(spec.bits, "fakeQuantize");
  if (!isQuantized(spec.bits)) return weight;
  checkMatrix(weight, "fakeQuantize");
  checkGroupSize(spec.groupSize, "fakeQuantize");
  return quant.fakeQuantizeMinMax(weight, spec);
}

/**
 * LSQ's gradient scale g = 1/√(N·Qp): N weights share one step size, Qp is the largest positive
 * integer level (2^(b−1) − 1 on a symmetric grid, 2^b − 1 on an unsigned one).
 */
export function lsqGradScale(weightsPerStep: number, bits: number, sym: boolean): number {
  const qp = sym ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return 1 / Math.sqrt(weightsPerStep * Math.max(qp, 1));
}
