export { gpt2Graph } from "./architectures/gpt2.js";
export { llamaGraph } from "./architectures/llama.js";
export { UnsupportedArchitectureError, UnsupportedLayerError } from "./errors.js";
export {
  DATA_FILE,
  type ExportOptions,
  type ExportResult,
  exportOnnx,
  MODEL_FILE,
  SUPPORTED_MODEL_TYPES,
} from "./export.js";
export { GraphBuilder } from "./graph/builder.js";
export { type LayerExport, LinearLowering } from "./layers/linear.js";
export { loadForExport } from "./load.js";
export { describeLayer, exportSummary } from "./summary.js";
