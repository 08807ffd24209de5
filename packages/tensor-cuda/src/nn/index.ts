export { Dropout } from "./dropout.js";
export { Embedding } from "./embedding.js";
export { ModulePathError, type ShapeMismatch, StateDictError } from "./errors.js";
export type { InitOptions } from "./init.js";
export { Linear, type LinearOptions } from "./linear.js";
export {
  type AnyModule,
  type ForwardHook,
  type LoadStateDictOptions,
  Module,
  type StateDict,
} from "./module.js";
export { ModuleList } from "./module-list.js";
export { LayerNorm, type LayerNormOptions, RMSNorm, type RMSNormOptions } from "./norms.js";
export { Sequential } from "./sequential.js";
