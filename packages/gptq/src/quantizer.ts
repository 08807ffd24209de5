import { quant } from "@shrinkray/tensor-cuda";

/*
 * The min-max grid GPTQ and RTN share, in float32 arithmetic step for step like the reference
 * (IST-DASLab `quant.py`, `mse=False`), because a weight sitting on a rounding boundary is
 * decided by the last bit of `x / scale`.
 */

export type Bits = 2 | 3 | 4 | 8;
export const SUPPORTED_BITS: readonly Bits[] = [2, 3, 4, 8];

/** Throws a RangeError naming `arg` unless `bits` is a supported width. */
export function checkBits(bits: unknown, where: string, arg = "bits"): asserts bits is Bits {
  if (!SUPPORTED_BITS.includes(bits as Bits)) {
    throw new RangeError(`${where}: ${arg} must be one of ${SUPPORTED_BITS.join(", ")}, got ${String(bits)}`);
  }
}

// The grid arithmetic lives with the quantization ops in tensor-cuda (so every device and the
// fake quantization of switchable-quant agree with GPTQ to the last bit); re-exported here.
export const { roundHalfEven, gridParams, quantizeCode, dequantizeCode } = quant;
