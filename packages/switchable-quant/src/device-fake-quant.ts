import {
  getBackend,
  type QuantGridSpec,
  recordOp,
  Tensor as T,
  type Tensor,
  where,
} from "@shrinkray/tensor-cuda";
import type { QuantSpec } from "./bits.js";
import { groupLength } from "./grid.js";

/*
 * Fake quantization where the weight lives on a device with fused kernels for it (tensor-cuda's
 * CUDA backend): grid, forward, STE mask and LSQ step gradient are computed there, with the same
 * arithmetic as the host path in fake-quant.ts, so QAT never copies a weight to the host.
 * Each function returns null where that does not apply; the caller then takes the host path.
 */

function gridSpec(weight: Tensor, spec: QuantSpec): QuantGridSpec {
  const [out, inF] = weight.shape;
  const groupLen = groupLength(inF, spec.groupSize);
  return {
    out,
    inFeatures: inF,
    groupLen,
    groups: Math.ceil(inF / groupLen),
    maxq: 2 ** spec.bits - 1,
    sym: spec.sym,
  };
}

function usable(weight: Tensor): boolean {
  if (weight.device === "cpu" || weight.rank !== 2 || weight.dtype !== "float32") return false;
  const b = getBackend(weight.device);
  return !!(b.fakeQuant && b.fakeQuantScaleGrad && b.quantGrid);
}

/** ŵ on a given grid (scale may require grad: LSQ); zero [groups, out] float32 on the same device. */
export function deviceFakeQuantizeWithGrid(
  weight: Tensor,
  scale: Tensor,
  zero: Tensor,
  spec: QuantSpec,
  gradScale: number,
): Tensor | null {
  if (!usable(weight) || scale.dtype !== "float32" || scale.device !== weight.device) return null;
  const b = getBackend(weight.device);
  const g = gridSpec(weight, spec);
  const r = b.fakeQuant!(weight.storage, scale.storage, zero.storage, g, scale.requiresGrad);
  const y = new T(r.y, weight.shape);
  const mask = new T(r.mask, weight.shape);
  const ds = r.ds ? new T(r.ds, weight.shape) : null;
  return recordOp(
    "fake_quantize",
    [weight, scale],
    y,
    (grad) => [
      // Straight-through inside the clip range, nothing outside it.
      weight.requiresGrad ? where(mask, grad, 0) : null,
      scale.requiresGrad && ds
        ? new T(b.fakeQuantScaleGrad!(grad.storage, ds.storage, g, gradScale), scale.shape)
        : null,
    ],
    ds ? [mask, ds, zero] : [mask, zero],
  );
}

/** ŵ on the weight's own min-max grid, computed on the device. */
export function deviceFakeQuantize(weight: Tensor, spec: QuantSpec): Tensor | null {
  if (!usable(weight)) return null;
  const g = gridSpec(weight, spec);
  const grid = getBackend(weight.device).quantGrid!(weight.storage, g);
  const scale = new T(grid.scale, [g.groups, g.out]);
  const zero = new T(grid.zero, [g.groups, g.out]);
  return deviceFakeQuantizeWithGrid(weight, scale, zero, spec, 1);
}
