/**
 * Quantization as tensor ops (candle's `quantized/`): min-max grids, fake quantization with its
 * STE/LSQ backward, packed low-bit weights and their matmul. Defined once here on Tensor; each
 * backend implements the kernels behind `Backend.quant`.
 */
export { packBits, unpackBits } from "./bitstream.js";
export { type FakeQuantizeOptions, fakeQuantize, fakeQuantizeMinMax } from "./fake-quant.js";
export { type GptqSolution, gptqSolve, hasGptqSolve } from "./gptq.js";
export { type GridSpec, groupLength, quantGrid } from "./grid.js";
export { dequantizeCode, gridParams, quantizeCode, roundHalfEven } from "./grid-math.js";
export {
  type MatMulNBitsUnsupported,
  type MatMulNBitsWeight,
  toMatMulNBits,
} from "./matmul-nbits.js";
export {
  DequantizedCache,
  dequantizePacked,
  dequantizePackedTransposed,
  forgetPacked,
  type PackedWeight,
  packedLinear,
  packedSpec,
} from "./packed.js";
