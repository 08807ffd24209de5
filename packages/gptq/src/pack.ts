import { quant, Tensor } from "@shrinkray/tensor-cuda";
import { type Bits, checkBits } from "./quantizer.js";
import type { QuantizedWeight } from "./result.js";

/*
 * The AutoGPTQ / GPTQModel tensor layout (the bit stream itself is tensor-cuda's quant.packBits:
 * value i of a packed line occupies bits [i·bits, (i+1)·bits) from the least significant bit of
 * word 0). qweight streams down the input axis ([in, out] → [in·bits/32, out]); qzeros along the
 * output axis.
 */

/** Packed GPTQ weights as held in memory (tensor-cuda's PackedWeight at a GPTQ bit width); v2 zeros. */
export interface PackedGptq extends quant.PackedWeight {
  bits: Bits;
}

/**
 * Packs values [n, m] along axis 0 (`axis = 0`, qweight) into [n·bits/32, m] or along axis 1
 * (qzeros) into [n, m·bits/32]. Values are masked to `bits`, so a v1 zero of −1 stays in its slot.
 */
export function packBits(values: Int32Array, n: number, m: number, bits: Bits, axis: 0 | 1): Int32Array {
  checkBits(bits, "packBits");
  return quant.packBits(values, n, m, bits, axis);
}

/** The inverse of packBits: [n, m] codes in [0, 2^bits). */
export function unpackBits(packed: Int32Array, n: number, m: number, bits: Bits, axis: 0 | 1): Int32Array {
  checkBits(bits, "unpackBits");
  return quant.unpackBits(packed, n, m, bits, axis);
}

/** Packs a quantized weight (from gptqQuantize or rtnQuantize) into the GPTQ layout. */
export function packGptq(q: QuantizedWeight): PackedGptq {
  const [out, inF] = q.codes.shape;
  const groups = q.scale.shape[0];
  const codes = q.codes.cast("int32").dataSync() as Int32Array;
  const codesT = new Int32Array(inF * out);
  for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) codesT[i * out + o] = codes[o * inF + i];
  const zeros = Int32Array.from(q.zero.dataSync() as Float32Array);
  return {
    qweight: Tensor.from(packBits(codesT, inF, out, q.bits, 0), [(inF * q.bits) / 32, out]),
    qzeros: Tensor.from(packBits(zeros, groups, out, q.bits, 1), [groups, (out * q.bits) / 32]),
    scales: q.scale.cast("float16"),
    gIdx: q.gIdx.cast("int32"),
    bits: q.bits,
    groupSize: q.groupSize,
  };
}

/** Dimensions of a packed weight: [out, in, groups]. */
export function packedShape(p: PackedGptq): { outFeatures: number; inFeatures: number; groups: number } {
  return { outFeatures: p.qweight.shape[1], inFeatures: p.gIdx.shape[0], groups: p.scales.shape[0] };
}

/** Codes [out, in], zeros [groups, out] (v2) and float32 scales [groups, out] of a packed weight. */
export function unpackGptq(p: PackedGptq): {
  codes: Int32Array;
  zeros: Int32Array;
  scales: Float32Array;
  gIdx: Int32Array;
} {
  const { outFeatures: out, inFeatures: inF, groups } = packedShape(p);
  const codesT = unpackBits(p.qweight.dataSync() as Int32Array, inF, out, p.bits, 0);
  const codes = new Int32Array(out * inF);
  for (let i = 0; i < inF; i++) for (let o = 0; o < out; o++) codes[o * inF + i] = codesT[i * out + o];
  return {
    codes,
    zeros: unpackBits(p.qzeros.dataSync() as Int32Array, groups, out, p.bits, 1),
    scales: p.scales.cast("float32").dataSync() as Float32Array,
    gIdx: p.gIdx.cast("int32").dataSync() as Int32Array,
  };
}

/** The float32 [out, in] weight a packed layer computes with: scale · (code − zero). */
export function dequantizeGptq(p: PackedGptq): Tensor {
  return quant.dequantizePacked(p);
}

/**
 * Converts packed zero points between the two conventions: v1 (AutoGPTQ's files, checkpoint_format
 * "gptq") stores zero − 1, v2 (GPTQModel's in-memory form) the zero itself. Wraps modulo 2^bits
 * as GPTQModel does, so an asymmetric zero of 0 is stored as 2^bits − 1 and read back as 0.
 */
export function convertZeros(qzeros: Tensor, bits: Bits, to: "v1" | "v2"): Tensor {
  const [groups, words] = qzeros.shape;
  const out = (words * 32) / bits;
  const z = unpackBits(qzeros.dataSync() as Int32Array, groups, out, bits, 1);
  const delta = to === "v1" ? -1 : 1;
  for (let i = 0; i < z.length; i++) z[i] += delta;
  return Tensor.from(packBits(z, groups, out, bits, 1), [groups, words]);
}
