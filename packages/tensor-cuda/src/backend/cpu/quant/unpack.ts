import { unpackBits } from "../../../quantized/bitstream.js";
import type { PackedSpec, Storage } from "../../backend.js";
import { castArray } from "../cast.js";
import { hostEmpty } from "../pool.js";
import { CpuStorage, cpu } from "../storage.js";

/** The host arrays of packed GPTQ buffers: codes [in, out], v2 zeros [groups, out], float32 scales. */
export interface UnpackedGptq {
  codesT: Int32Array;
  zeros: Int32Array;
  scales: Float32Array;
  gIdx: Int32Array;
}

function int32(s: Storage, what: string): Int32Array {
  const d = cpu(s).data;
  if (!(d instanceof Int32Array)) throw new TypeError(`${what} must be int32, got ${s.dtype}`);
  return d;
}

export function unpackGptqBuffers(
  qweight: Storage,
  qzeros: Storage,
  scales: Storage,
  gIdx: Storage,
  spec: PackedSpec,
): UnpackedGptq {
  const { inFeatures: inF, outFeatures: out, groups, bits } = spec;
  const g = int32(gIdx, "g_idx");
  for (let i = 0; i < inF; i++) {
    if (!(g[i] >= 0 && g[i] < groups))
      throw new RangeError(`packed weight: g_idx[${i}] = ${g[i]} is outside [0, ${groups})`);
  }
  const sc = cpu(scales).data;
  return {
    codesT: unpackBits(int32(qweight, "qweight"), inF, out, bits, 0),
    zeros: unpackBits(int32(qzeros, "qzeros"), groups, out, bits, 1),
    scales: sc instanceof Float32Array ? sc : (castArray(sc, scales.dtype, "float32") as Float32Array),
    gIdx: g,
  };
}

/** W [in, out] = scale · (code − zero), rounded to float32 as the reference's `scale * (q - zero)`. */
export function dequantizePacked(
  qweight: Storage,
  qzeros: Storage,
  scales: Storage,
  gIdx: Storage,
  spec: PackedSpec,
): Storage {
  const { codesT, zeros, scales: s, gIdx: g } = unpackGptqBuffers(qweight, qzeros, scales, gIdx, spec);
  const { inFeatures: inF, outFeatures: out } = spec;
  const w = hostEmpty("float32", inF * out);
  for (let i = 0; i < inF; i++) {
    const row = i * out;
    const grid = g[i] * out;
    for (let o = 0; o < out; o++) w[row + o] = Math.fround(s[grid + o] * (codesT[row + o] - zeros[grid + o]));
  }
  return new CpuStorage("float32", w);
}
