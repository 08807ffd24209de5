import type { Tensor } from "@shrinkray/tensor-cuda";
import type { Bits } from "./quantizer.js";

/**
 * A quantized [out, in] weight in the form every consumer here takes: the fake-quantized float
 * weight, its integer codes, one scale and zero per (group, output channel) and the group of
 * each input column. `dequantized[o, i] = scale[gIdx[i], o] * (codes[o, i] - zero[gIdx[i], o])`.
 */
export interface QuantizedWeight {
  /** float32 [out, in]: the weight as the quantized layer computes with it. */
  dequantized: Tensor;
  /** int32 [out, in], each in [0, 2^bits - 1]. */
  codes: Tensor;
  /** float32 [groups, out]. */
  scale: Tensor;
  /** float32 [groups, out]: the zero point itself (GPTQModel's "v2"; v1 files store zero − 1). */
  zero: Tensor;
  /** int32 [in]: the group of each input column (not monotone under act-order). */
  gIdx: Tensor;
  bits: Bits;
  groupSize: number;
  sym: boolean;
}
