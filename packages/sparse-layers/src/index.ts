export * from "./layers/counts.js";
export { channelShuffle, type PermutationSpec } from "./layers/permutation.js";
export { GroupedLinear, groupedLinear, type GroupedLinearOptions } from "./layers/grouped-linear.js";
export { LowRankAdapter, lowRank, type LowRankOptions } from "./layers/low-rank.js";
export { LoRALinear, type LoRALinearOptions } from "./layers/lora-linear.js";
export { GroupedLoRALinear, type GroupedLoRALinearOptions } from "./layers/grouped-lora-linear.js";
export type { Matrix } from "./linalg/matrix.js";
export { svd, svdMatrix, randomizedSvd, truncate, type SvdResult, type SvdOptions, type RandomizedSvdOptions } from "./linalg/svd.js";
export { cholesky, NotPositiveDefiniteError } from "./linalg/cholesky.js";
export { GramAccumulator, gramOf } from "./init/gram.js";
export { decompose, type DecomposeOptions, type Decomposition } from "./init/decompose.js";
export { groupedLoraFromLinear, groupedFromLinear, type FromLinearOptions } from "./init/from-linear.js";
export { type SparsifyPolicy, type SparsifyRule } from "./replace/policy.js";
export {
  sparsify,
  restoreDense,
  applySparse,
  formatReport,
  type ModuleReport,
  type SparsifyReport,
  type ReplacedLayer,
} from "./replace/sparsify.js";
export {
  type SparseLayerConfig,
  type SparsityConfig,
  type SparseModule,
  SparsityConfigError,
  sparsityConfigOf,
  buildLayer,
} from "./replace/config.js";
export { type Calibration, captureLayerIO } from "./fit/capture.js";
export { collectGrams, linearNames } from "./fit/grams.js";
export { fitLayerwise, evaluate, type FitOptions, type FitProgress, type LayerFitResult } from "./fit/fit.js";
export {
  magnitudeMask,
  wandaMask,
  nmMask,
  inputChannelNorms,
  applyMask,
  countKept,
  type Mask,
} from "./baselines/masks.js";
export { compareBaselines, relativeError, type BaselineResult } from "./baselines/compare.js";
export {
  saveSparseCheckpoint,
  loadSparseCheckpoint,
  applySparsityConfig,
  WEIGHTS_FILE,
  CONFIG_FILE,
} from "./checkpoint/checkpoint.js";
