import { gridParams, roundHalfEven } from "../../../quantized/grid-math.js";
import type { QuantGridSpec, Storage } from "../../backend.js";
import { hostEmpty, hostRecycle, hostZeros } from "../pool.js";
import { CpuStorage, cpu } from "../storage.js";

/*
 * Fake quantization on the CPU: ŵ = s·(clamp(round(w/s) + z, 0, 2^b − 1) − z) per (group,
 * output channel), the STE clip mask, and LSQ's ∂ŵ/∂s. The CUDA kernels (quant.cu) compute the
 * same arithmetic; the quantized/ ops define the gradients once above both.
 */

const f = Math.fround;

function float32(s: Storage, what: string): Float32Array {
  const d = cpu(s).data;
  if (!(d instanceof Float32Array)) throw new TypeError(`${what} must be float32, got ${s.dtype}`);
  return d;
}

export function quantGrid(w: Storage, spec: QuantGridSpec): { scale: Storage; zero: Storage } {
  const W = float32(w, "quantGrid: the weight");
  const { out, inFeatures: inF, groupLen, groups, maxq, sym } = spec;
  // gridParams reads the weight transposed ([in, out]), the layout GPTQ works in.
  const wt = hostEmpty("float32", out * inF);
  for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) wt[i * out + o] = W[o * inF + i];
  const scale = hostZeros("float32", groups * out);
  const zero = hostZeros("float32", groups * out);
  for (let g = 0; g < groups; g++) {
    gridParams(wt, out, g * groupLen, Math.min((g + 1) * groupLen, inF), maxq, sym, scale, zero, g * out);
  }
  hostRecycle(wt);
  return { scale: new CpuStorage("float32", scale), zero: new CpuStorage("float32", zero) };
}

export function fakeQuant(
  w: Storage,
  scale: Storage,
  zero: Storage,
  spec: QuantGridSpec,
  withScaleGrad: boolean,
): { y: Storage; mask: Storage; ds: Storage | null } {
  const W = float32(w, "fakeQuant: the weight");
  const S = float32(scale, "fakeQuant: the scale");
  const Z = float32(zero, "fakeQuant: the zero points");
  const { out, inFeatures: inF, groupLen, maxq } = spec;
  const y = hostEmpty("float32", out * inF);
  const mask = hostEmpty<Uint8Array>("bool", out * inF);
  const ds = withScaleGrad ? hostEmpty("float32", out * inF) : null;
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inF; i++) {
      const k = o * inF + i;
      const gi = Math.floor(i / groupLen) * out + o;
      // A learned step can be driven through zero; a tiny floor keeps the grid defined.
      const s = Math.max(S[gi], 1e-12);
      const z = Z[gi];
      const u = f(W[k] / s);
      const v = u + z;
      const inside = v >= 0 && v <= maxq;
      let q = roundHalfEven(u) + z;
      q = Math.min(Math.max(q, 0), maxq);
      y[k] = f(s * (q - z));
      mask[k] = inside ? 1 : 0;
      if (ds) ds[k] = inside ? q - z - u : q - z;
    }
  }
  return {
    y: new CpuStorage("float32", y),
    mask: new CpuStorage("bool", mask),
    ds: ds ? new CpuStorage("float32", ds) : null,
  };
}

export function fakeQuantScaleGrad(g: Storage, ds: Storage, spec: QuantGridSpec, gradScale: number): Storage {
  const G = float32(g, "fakeQuantScaleGrad: the gradient");
  const D = float32(ds, "fakeQuantScaleGrad: ∂ŵ/∂s");
  const { out, inFeatures: inF, groupLen, groups } = spec;
  const acc = new Float64Array(groups * out);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inF; i++) {
      const k = o * inF + i;
      acc[Math.floor(i / groupLen) * out + o] += G[k] * D[k];
    }
  }
  const r = hostEmpty("float32", acc.length);
  for (let j = 0; j < acc.length; j++) r[j] = acc[j] * gradScale;
  return new CpuStorage("float32", r);
}
