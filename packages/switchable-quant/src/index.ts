export {
  BIT_WIDTHS,
  type BitWidth,
  BitWidthError,
  checkBitWidth,
  FULL_PRECISION,
  isQuantized,
  type QuantSpec,
} from "./bits.js";
export {
  type Assignment,
  assignmentMemory,
  assignmentToConfig,
  type BitConfig,
  BitConfigError,
  configMemory,
  type DynamicOverride,
  type LayerShape,
  type MemoryOptions,
  type MemoryReport,
  resolveConfig,
} from "./config.js";
export {
  type ExportOptions,
  exportGptq,
  type GptqExport,
  toQuantizedWeight,
  writeGptqCheckpoint,
} from "./export.js";
export { type FakeQuantOptions, fakeQuantize, fakeQuantizeWithGrid, lsqGradScale } from "./fake-quant.js";
export {
  type Budget,
  budgetValue,
  type GreedyLowerOptions,
  type GreedyRaiseOptions,
  type GreedyResult,
  type GreedyStep,
  greedyLower,
  greedyPathTable,
  greedyRaise,
} from "./greedy.js";
export { type Grid, minMaxGrid } from "./grid.js";
export { klDistillLoss } from "./kl.js";
export { LoraAdapter, type LoraOptions } from "./lora.js";
export {
  adapterParameters,
  applyAssignment,
  applyConfig,
  currentAssignment,
  layerShapes,
  makeSwitchable,
  setAllBits,
  switchableLayers,
} from "./make-switchable.js";
export { type Metric, type MetricContext, measure } from "./metric.js";
export { type DistillOptions, type QatBatch, type QatOptions, type QatStepInfo, trainQat } from "./qat.js";
export {
  type BitSchedule,
  type CptOptions,
  cptSchedule,
  randomSchedule,
  staticSchedule,
} from "./schedules.js";
export {
  type Granularity,
  type NameParts,
  parseLayerName,
  type SensitivityOptions,
  type SensitivityResult,
  type SensitivityRow,
  sensitivityHeatmap,
  sensitivityScan,
  sensitivityTable,
} from "./sensitivity.js";
export { type HeatmapInput, heatmapSvg } from "./svg.js";
export { SwitchableLinear, type SwitchableLinearOptions } from "./switchable-linear.js";
