import { roundHalfEven } from "@shrinkray/gptq";
import { recordOp, ShapeError, Tensor } from "@shrinkray/tensor-cuda";
import { checkBitWidth, isQuantized, type QuantSpec } from "./bits.js";
import { deviceFakeQuantize, deviceFakeQuantizeWithGrid } from "./device-fake-quant.js";
import { groupLength, minMaxGrid } from "./grid.js";

const f = Math.fround;

/*
 * Fake quantization of a weight [out, in]: ŵ = s·(clamp(round(w/s) + z, 0, 2^b − 1) − z) with one
 * scale s and integer zero z per (group, output channel), rounding half to even as torch and gptq
 * do. Forward and backward live here side by side.
 *
 * Backward, with u = w/s and "inside" meaning 0 ≤ u + z ≤ 2^b − 1 (the clip range, before rounding,
 * as Esser et al. define it):
 *   ∂ŵ/∂w = 1 inside, 0 outside                                  (straight-through estimator)
 *   ∂ŵ/∂s = round(u) − u inside, (bound − z) outside              (LSQ, eq. 3 of Esser et al.)
 * The step-size gradient is summed over the weights sharing s and multiplied by the gradient
 * scale g (LSQ: g = 1/√(N·Qp), N weights per step size), which keeps its magnitude in line with
 * the weights' as bits and layer sizes change.
 */

export interface FakeQuantOptions {
  /** Multiplies the gradient of the step size (LSQ's g); default 1. */
  gradScale?: number;
}

/** The weight as host float32 data with its dimensions (any device: copies to the CPU). */
function hostMatrix(weight: Tensor, where: string): { w: Float32Array; out: number; inF: number } {
  if (weight.rank !== 2)
    throw new ShapeError(`${where}: weight must be [out, in], got [${weight.shape.join(", ")}]`);
  const cpu = weight.device === "cpu" ? weight : weight.to("cpu");
  const data = cpu.dtype === "float32" ? cpu.dataSync() : cpu.cast("float32").dataSync();
  return { w: data as Float32Array, out: weight.shape[0], inF: weight.shape[1] };
}

interface Quantized {
  y: Float32Array;
  /** 1 inside the clip range, 0 outside. */
  mask: Uint8Array;
  /** ∂ŵ/∂s per element (only when the scale needs a gradient). */
  ds: Float32Array | null;
}

function quantizeHost(
  w: Float32Array,
  out: number,
  inF: number,
  scale: Float32Array,
  zero: Float32Array,
  groupLen: number,
  maxq: number,
  wantDs: boolean,
): Quantized {
  const y = new Float32Array(out * inF);
  const mask = new Uint8Array(out * inF);
  const ds = wantDs ? new Float32Array(out * inF) : null;
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inF; i++) {
      const k = o * inF + i;
      const gi = Math.floor(i / groupLen) * out + o;
      // A learned step can be driven through zero; a tiny floor keeps the grid defined.
      const s = Math.max(scale[gi], 1e-12);
      const z = zero[gi];
      const u = f(w[k] / s);
      const v = u + z;
      const inside = v >= 0 && v <= maxq;
      let q = roundHalfEven(u) + z;
      q = Math.min(Math.max(q, 0), maxq);
      y[k] = f(s * (q - z));
      mask[k] = inside ? 1 : 0;
      if (ds) ds[k] = inside ? q - z - u : q - z;
    }
  }
  return { y, mask, ds };
}

/**
 * Fake-quantizes `weight` [out, in] on a given grid: `scale` [groups, out] (may require grad:
 * that is LSQ) and integer zero points [groups, out] (host values, or a tensor, which on the
 * weight's device is used as it is). Gradients: STE to the weight, LSQ to the scale.
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
  if (weight.device !== "cpu" && weight.rank === 2) {
    const [o, i] = weight.shape;
    const gl = groupLength(i, spec.groupSize);
    if (scale.size === Math.ceil(i / gl) * o && countOf(zeroPoints) === scale.size) {
      // A zero-point tensor already on the device (SwitchableLinear keeps one) saves an upload.
      const z =
        zeroPoints instanceof Tensor && zeroPoints.device === weight.device
          ? zeroPoints.reshape([Math.ceil(i / gl), o])
          : Tensor.from(hostZeros(zeroPoints), [Math.ceil(i / gl), o]).to(weight.device);
      const fused = deviceFakeQuantizeWithGrid(weight, scale, z, spec, opts.gradScale ?? 1);
      if (fused) return fused;
    }
  }
  const zero = hostZeros(zeroPoints);
  const { w, out, inF } = hostMatrix(weight, "fakeQuantizeWithGrid");
  const groupLen = groupLength(inF, spec.groupSize);
  const groups = Math.ceil(inF / groupLen);
  if (scale.size !== groups * out || zero.length !== groups * out) {
    throw new ShapeError(
      `fakeQuantizeWithGrid: scale and zero must be [${groups}, ${out}] for a [${out}, ${inF}] weight in groups of ${groupLen}, got scale [${scale.shape.join(", ")}] and ${zero.length} zeros`,
    );
  }
  const { w: s } = hostMatrix(scale.reshape([groups, out]), "fakeQuantizeWithGrid");
  const q = quantizeHost(w, out, inF, s, zero, groupLen, 2 ** spec.bits - 1, scale.requiresGrad);
  const y = Tensor.from(q.y, [out, inF], { device: weight.device });
  const gradScale = opts.gradScale ?? 1;
  return recordOp("fake_quantize", [weight, scale], y, (g) => {
    const gd = hostMatrix(g, "fake_quantize backward").w;
    let gw: Tensor | null = null;
    if (weight.requiresGrad) {
      const a = new Float32Array(gd.length);
      for (let k = 0; k < a.length; k++) a[k] = q.mask[k] ? gd[k] : 0;
      gw = Tensor.from(a, weight.shape, { device: weight.device });
    }
    let gs: Tensor | null = null;
    if (scale.requiresGrad && q.ds) {
      const a = new Float64Array(groups * out);
      for (let o = 0; o < out; o++) {
        for (let i = 0; i < inF; i++) {
          const k = o * inF + i;
          a[Math.floor(i / groupLen) * out + o] += gd[k] * q.ds[k];
        }
      }
      const r = new Float32Array(a.length);
      for (let j = 0; j < a.length; j++) r[j] = a[j] * gradScale;
      gs = Tensor.from(r, scale.shape, { device: scale.device });
    }
    return [gw, gs];
  });
}

/**
 * Fake-quantizes `weight` on its own min-max grid (recomputed from the current weight, so it
 * follows training); the gradient reaches the weight through the STE. Widths 16 and 32 return
 * the weight itself.
 */
export function fakeQuantize(weight: Tensor, spec: QuantSpec): Tensor {
  checkBitWidth(spec.bits, "fakeQuantize");
  if (!isQuantized(spec.bits)) return weight;
  const fused = deviceFakeQuantize(weight, spec);
  if (fused) return fused;
  const { w, out, inF } = hostMatrix(weight, "fakeQuantize");
  const grid = minMaxGrid(w, out, inF, spec);
  const scale = Tensor.from(grid.scale, [grid.groups, out], { device: weight.device });
  return fakeQuantizeWithGrid(weight, scale, grid.zero, spec);
}

/**
 * LSQ's gradient scale g = 1/√(N·Qp): N weights share one step size, Qp is the largest positive
 * integer level (2^(b−1) − 1 on a symmetric grid, 2^b − 1 on an unsigned one).
 */
export function lsqGradScale(weightsPerStep: number, bits: number, sym: boolean): number {
  const qp = sym ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return 1 / Math.sqrt(weightsPerStep * Math.max(qp, 1));
}

function countOf(z: Float32Array | Tensor): number {
  return z instanceof Tensor ? z.size : z.length;
}

function hostZeros(z: Float32Array | Tensor): Float32Array {
  return z instanceof Tensor ? (z.cast("float32").dataSync() as Float32Array) : z;
}
