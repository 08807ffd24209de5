export {
  Optimizer,
  type BaseHyper,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamState,
} from "./optimizer.js";
export { SGD, type SGDHyper } from "./sgd.js";
export { AdamW, type AdamWHyper } from "./adamw.js";
export {
  LRScheduler,
  constantWithWarmup,
  cosineWithWarmup,
  linearWithWarmup,
  type CosineOptions,
  type DecayOptions,
  type Schedule,
  type WarmupOptions,
} from "./schedules.js";
export { clipGradNorm } from "./clip.js";
