import { where } from "../ops/elementwise.js";
import { DTypeError, fmt, ShapeError } from "../shape.js";
import { recordOp, Tensor } from "../tensor.js";
import { type GridSpec, gridSpecFor, quantGrid } from "./grid.js";
import { quantKernels } from "./kernels.js";

/*
 * Fake quantization of a weight [out, in]: ŵ = s·(clamp(round(w/s) + z, 0, 2^b − 1) − z) with one
 * scale s and integer zero z per (group, output channel), rounding half to even as torch and
 * gptq do. The forward runs in the device's kernel; the backward is defined here, once:
 *
 * with u = w/s and "inside" meaning 0 ≤ u + z ≤ 2^b − 1 (the clip range, before rounding, as
 * Esser et al. define it)
 *   ∂ŵ/∂w = 1 inside, 0 outside                                  (straight-through estimator)
 *   ∂ŵ/∂s = round(u) − u inside, (bound − z) outside              (LSQ, eq. 3 of Esser et al.)
 * The step-size gradient is summed over the weights sharing s and multiplied by the gradient
 * scale g (LSQ: g = 1/√(N·Qp), N weights per step size).
 */

export interface FakeQuantizeOptions {
  /** Multiplies the gradient of the step size (LSQ's g); default 1. */
  gradScale?: number;
}

/**
 * ŵ on a given grid: `scale` [groups, out] float32 (it may require grad: that is LSQ) and integer
 * zero points [groups, out] float32, both on the weight's device.
 */
export function fakeQuantize(
  weight: Tensor,
  scale: Tensor,
  zero: Tensor,
  spec: GridSpec,
  opts: FakeQuantizeOptions = {},
): Tensor {
  const g = gridSpecFor(weight, spec, "fakeQuantize");
  for (const [name, t] of [
    ["scale", scale],
    ["zero", zero],
  ] as const) {
    if (t.size !== g.groups * g.out)
      throw new ShapeError(
        `fakeQuantize: ${name} must be [${g.groups}, ${g.out}] for a ${fmt(weight.shape)} weight in groups of ${g.groupLen}, got ${fmt(t.shape)}`,
      );
    if (t.dtype !== "float32") throw new DTypeError(`fakeQuantize: ${name} must be float32, got ${t.dtype}`);
    if (t.device !== weight.device)
      throw new Error(`fakeQuantize: ${name} is on ${t.device}, the weight on ${weight.device}`);
  }
  const k = quantKernels(weight, "fakeQuantize");
  const r = k.fakeQuant(weight.storage, scale.storage, zero.storage, g, scale.requiresGrad);
  const y = new Tensor(r.y, weight.shape);
  const mask = new Tensor(r.mask, weight.shape);
  const ds = r.ds ? new Tensor(r.ds, weight.shape) : null;
  const gradScale = opts.gradScale ?? 1;
  return recordOp(
    "fake_quantize",
    [weight, scale],
    y,
    (grad) => [
      // Straight-through inside the clip range, nothing outside it.
      weight.requiresGrad ? where(mask, grad, 0) : null,
      scale.requiresGrad && ds
        ? new Tensor(k.fakeQuantScaleGrad(grad.contiguous().storage, ds.storage, g, gradScale), scale.shape)
        : null,
    ],
    ds ? [mask, ds] : [mask],
  );
}

/** ŵ on the weight's own min-max grid (recomputed from the current weight); the gradient is the STE's. */
export function fakeQuantizeMinMax(weight: Tensor, spec: GridSpec): Tensor {
  const { scale, zero } = quantGrid(weight.detach(), spec);
  return fakeQuantize(weight, scale, zero, spec);
}
