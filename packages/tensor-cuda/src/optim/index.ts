export { AdamW, type AdamWHyper } from "./adamw.js";
export { clipGradNorm } from "./clip.js";
export {
  type BaseHyper,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamState,
} from "./optimizer.js";
export {
  type CosineOptions,
  constantWithWarmup,
  cosineWithWarmup,
  type DecayOptions,
  LRScheduler,
  linearWithWarmup,
  type Schedule,
  type WarmupOptions,
} from "./schedules.js";
export { SGD, type SGDHyper } from "./sgd.js";
