export {
  Module,
  ModulePathError,
  StateDictError,
  type AnyModule,
  type ForwardHook,
  type LoadStateDictOptions,
  type ShapeMismatch,
  type StateDict,
} from "./module.js";
export type { InitOptions } from "./init.js";
export { Linear, type LinearOptions } from "./linear.js";
export { Embedding } from "./embedding.js";
export { LayerNorm, RMSNorm, type LayerNormOptions, type RMSNormOptions } from "./norms.js";
export { Dropout } from "./dropout.js";
export { ModuleList } from "./module-list.js";
export { Sequential } from "./sequential.js";
