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
 * v2 → v1 zero points (what a "gptq" checkpoint stores): zero − 1 in each field. A zero of 0
 * has no v1 encoding that loaders agree on (AutoGPTQ's packer ORs −1 over the fields above it,
 * GPTQModel borrows from the next field, AutoGPTQ and vLLM read a field back as field + 1, so
 * 2^bits), so it is refused; symmetric grids never have one (their zero is 2^(bits−1)).
 */
export function zeroPointsToV1(qzeros: Tensor, bits: Bits, where = "zeroPointsToV1"): Tensor {
  const [groups, words] = qzeros.shape;
  const out = (words * 32) / bits;
  const z = unpackBits(qzeros.dataSync() as Int32Array, groups, out, bits, 1);
  for (let i = 0; i < z.length; i++) {
    if (z[i] === 0)
      throw new RangeError(
        `${where}: group ${Math.floor(i / out)}, output ${i % out} has zero point 0, which checkpoint_format "gptq" (v1) cannot store unambiguously; write "gptq_v2"`,
      );
    z[i] -= 1;
  }
  return Tensor.from(packBits(z, groups, out, bits, 1), [groups, words]);
}

/**
 * How a v1 file's zero fields become zero points. "autogptq": each field + 1, as AutoGPTQ,
 * transformers and vLLM read them; a field of 2^bits − 1 (the −1 of a zero point 0, or what
 * AutoGPTQ's packer leaves above one) would be the zero point 2^bits, outside the grid, and is
 * refused. "gptqmodel": as GPTQModel converts its own v1 files back (a file whose
 * `meta.quantizer` names it): one addition of 0x…0101 per 32-bit word for 2, 4 and 8 bits, so
 * the borrow its v2 → v1 subtraction took from the next field comes back; per field, modulo
 * 2^bits, for 3 bits (whose fields straddle words).
 */
export type V1ZeroRule = "autogptq" | "gptqmodel";

/** v1 → v2 zero points under `rule` (see V1ZeroRule); `where` names the tensor in errors. */
export function zeroPointsFromV1(
  qzeros: Tensor,
  bits: Bits,
  rule: V1ZeroRule,
  where = "zeroPointsFromV1",
): Tensor {
  const [groups, words] = qzeros.shape;
  const data = qzeros.dataSync() as Int32Array;
  if (rule === "gptqmodel" && bits !== 3) {
    let pattern = 0;
    for (let s = 0; s < 32; s += bits) pattern |= 1 << s;
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = (data[i] + pattern) | 0;
    return Tensor.from(out, [groups, words]);
  }
  const out = (words * 32) / bits;
  const z = unpackBits(data, groups, out, bits, 1);
  const maxq = 2 ** bits - 1;
  for (let i = 0; i < z.length; i++) {
    if (rule === "autogptq" && z[i] === maxq)
      throw new RangeError(
        `${where}: group ${Math.floor(i / out)}, output ${i % out} stores ${maxq} (v1), the zero point ${maxq + 1} to AutoGPTQ and vLLM, outside the ${bits}-bit grid; the file is ambiguous (an asymmetric v1 checkpoint with a zero point of 0)`,
      );
    z[i] = (z[i] + 1) & maxq;
  }
  return Tensor.from(packBits(z, groups, out, bits, 1), [groups, words]);
}
