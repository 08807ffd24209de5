export { type BaselineOptions, int8QuantizeModel, rtnQuantizeModel } from "./baseline-quantize.js";
export { type BlockLinear, blockLinears, type DecoderModel } from "./block-linears.js";
export { type CalibrationOptions, calibrationFromRows, calibrationFromText } from "./calibration.js";
export { gptqCheckpointTensors, type ReadGptqOptions, readGptqCheckpoint } from "./checkpoint.js";
export type { CheckpointNaming } from "./checkpoint-names.js";
export { dequantizeModel } from "./dequantize-model.js";
export { type DynamicConfig, type DynamicOverride, DynamicRules } from "./dynamic-config.js";
export { type GptqOptions, type GptqResult, gptqQuantize } from "./gptq.js";
export { gptqQuantizeAsync } from "./gptq-device.js";
export { HessianAccumulator } from "./hessian.js";
export { type Int8Weight, int8AsGptq, int8Quantize } from "./int8.js";
export {
  isGptqDir,
  type LoadQuantizedResult,
  loadQuantized,
  QuantizedCheckpointError,
  readQuantizationConfig,
} from "./load-quantized.js";
export {
  type LayerProgress,
  type LayerResult,
  type ModelQuantizeConfig,
  type ModelQuantizeResult,
  type QuantizeModelOptions,
  quantizeModel,
  quantizeModelAsync,
  type ResolvedModelConfig,
} from "./model-quantize.js";
export type { GridOptions } from "./options.js";
export { relativeOutputError, relativeOutputErrorAsync } from "./output-error.js";
export {
  dequantizeGptq,
  type PackedGptq,
  packBits,
  packedShape,
  packGptq,
  unpackBits,
  unpackGptq,
  type V1ZeroRule,
  zeroPointsFromV1,
  zeroPointsToV1,
} from "./pack.js";
export {
  type CheckpointProvenance,
  checkWritable,
  DEFAULT_GPTQ_CONFIG,
  type GptqConfig,
  parseQuantizeConfig,
  parseQuantizeConfigFull,
  QUANTIZER_TAG,
  QuantizeConfigError,
  type QuantizeConfigJson,
  type QuantizeConfigMeta,
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
export {
  type CheckpointContents,
  type FloatDtype,
  floatDtypeOf,
  type GptqCheckpointOptions,
  gptqCheckpoint,
  quantizationConfigJson,
  type SaveQuantizedOptions,
  saveQuantized,
} from "./save-quantized.js";
export { linearCallOrder, sequentialSteps } from "./sequential-order.js";
export { gptqWeightFormat } from "./weight-format.js";
