export { HessianAccumulator } from "./hessian.js";
export { gptqQuantize, type GptqOptions, type GptqResult } from "./gptq.js";
export { rtnQuantize } from "./rtn.js";
export { int8Quantize, type Int8Weight } from "./int8.js";
export type { GridOptions } from "./options.js";
export type { QuantizedWeight } from "./result.js";
export { type Bits, SUPPORTED_BITS, gridParams, quantizeCode, dequantizeCode, roundHalfEven } from "./quantizer.js";
export { NotPositiveDefiniteError, cholesky, invertLowerTransposed, inverseHessianFactor } from "./linalg.js";
export {
  type PackedGptq,
  packBits,
  unpackBits,
  packGptq,
  unpackGptq,
  dequantizeGptq,
  convertZeros,
  packedShape,
} from "./pack.js";
export { gptqCheckpointTensors, readGptqCheckpoint } from "./checkpoint.js";
export {
  type GptqConfig,
  type QuantizeConfigJson,
  DEFAULT_GPTQ_CONFIG,
  QuantizeConfigError,
  toQuantizeConfigJson,
  parseQuantizeConfig,
} from "./quant-config.js";
export { QuantLinear } from "./quant-linear.js";
