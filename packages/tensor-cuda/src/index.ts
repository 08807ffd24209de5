import "./tensor-methods.js";
import { cpuBackend } from "./backend/cpu/index.js";
import { registerBackend } from "./backend/registry.js";

registerBackend("cpu", cpuBackend);

export { Tensor, type TensorOptions, type RandomOptions } from "./tensor.js";
export type { DType, TypedArray } from "./dtype.js";
export { byteSize, isFloating } from "./dtype.js";
export { ShapeError, DTypeError, type Shape } from "./shape.js";
export { noGrad, withGrad, isGradEnabled } from "./autograd/grad-mode.js";
export { AutogradError } from "./autograd/backward.js";
export { tidy } from "./scope.js";
export { Generator, manualSeed } from "./random.js";
export type { Backend, Device, Storage } from "./backend/backend.js";
export { registerBackend, getBackend, DeviceUnavailableError } from "./backend/registry.js";
export * as ops from "./ops/index.js";
export * from "./ops/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as io from "./io/index.js";
export type { DecoderView, BlockContext } from "./structure.js";
