export { gptqCheckpointTensors, readGptqCheckpoint } from "./checkpoint.js";
export { type GptqOptions, type GptqResult, gptqQuantize } from "./gptq.js";
export { HessianAccumulator } from "./hessian.js";
export { type Int8Weight, int8Quantize } from "./int8.js";
export { cholesky, inverseHessianFactor, invertLowerTransposed, NotPositiveDefiniteError } from "./linalg.js";
export type { GridOptions } from "./options.js";
export {
  convertZeros,
  dequantizeGptq,
  type PackedGptq,
  packBits,
  packedShape,
  packGptq,
  unpackBits,
  unpackGptq,
} from "./pack.js";
export {
  DEFAULT_GPTQ_CONFIG,
  type GptqConfig,
  parseQuantizeConfig,
  QuantizeConfigError,
  type QuantizeConfigJson,
  toQuantizeConfigJson,
} from "./quant-config.js";
export { QuantLinear } from "./quant-linear.js";
export {
  type Bits,
  dequantizeCode,
  gridParams,
  quantizeCode,
  roundHalfEven,
  SUPPORTED_BITS,
} from "./quantizer.js";
export type { QuantizedWeight } from "./result.js";
export { rtnQuantize } from "./rtn.js";
