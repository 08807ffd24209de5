export { type BaselineResult, compareBaselines, relativeError } from "./baselines/compare.js";
export {
  applyMask,
  countKept,
  inputChannelNorms,
  type Mask,
  magnitudeMask,
  nmMask,
  wandaMask,
} from "./baselines/masks.js";
export {
  applySparsityConfig,
  CONFIG_FILE,
  loadSparseCheckpoint,
  saveSparseCheckpoint,
  sparseCheckpoint,
  sparseWeightFormat,
  WEIGHTS_FILE,
} from "./checkpoint/checkpoint.js";
export { type Calibration, captureLayerIO } from "./fit/capture.js";
export {
  evaluate,
  type FitOptions,
  type FitProgress,
  fitLayerwise,
  fitLayerwiseAsync,
  type LayerFitResult,
} from "./fit/fit.js";
export { collectGrams, linearNames } from "./fit/grams.js";
export { type DecomposeOptions, type Decomposition, decompose } from "./init/decompose.js";
export { type FromLinearOptions, groupedFromLinear, groupedLoraFromLinear } from "./init/from-linear.js";
export { GramAccumulator, gramOf } from "./init/gram.js";
export { type RandomizedSvdOptions, randomizedSvd } from "./init/randomized-svd.js";
export * from "./layers/counts.js";
export { GroupedLinear, type GroupedLinearOptions, groupedLinear } from "./layers/grouped-linear.js";
export { GroupedLoRALinear, type GroupedLoRALinearOptions } from "./layers/grouped-lora-linear.js";
export { LoRALinear, type LoRALinearOptions } from "./layers/lora-linear.js";
export { LowRankAdapter, type LowRankOptions, lowRank } from "./layers/low-rank.js";
export { channelShuffle, type PermutationSpec } from "./layers/permutation.js";
export type { Matrix } from "./linalg/matrix.js";
export {
  buildLayer,
  type SparseLayerConfig,
  type SparseModule,
  type SparsityConfig,
  SparsityConfigError,
  sparsityConfigOf,
} from "./replace/config.js";
export { mergeSparse } from "./replace/merge.js";
export type { SparsifyPolicy, SparsifyRule } from "./replace/policy.js";
export {
  applySparse,
  formatReport,
  type ModuleReport,
  type ReplacedLayer,
  restoreDense,
  type SparsifyReport,
  sparsify,
} from "./replace/sparsify.js";
