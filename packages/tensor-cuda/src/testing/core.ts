/*
 * The core of the package (tensor, ops, autograd, random, tidy) with the CPU backend registered,
 * for tests of that core. It mirrors src/index.ts without nn/optim/io, so these tests neither
 * depend on nor break with the layers built on top.
 */
import "../tensor-methods.js";
import { cpuBackend } from "../backend/cpu/index.js";
import { registerBackend } from "../backend/registry.js";

registerBackend("cpu", cpuBackend);

export { Tensor, type TensorOptions, type RandomOptions } from "../tensor.js";
export type { DType, TypedArray } from "../dtype.js";
export { ShapeError, DTypeError, type Shape } from "../shape.js";
export { noGrad, withGrad, isGradEnabled } from "../autograd/grad-mode.js";
export { AutogradError } from "../autograd/backward.js";
export { tidy } from "../scope.js";
export { Generator, manualSeed } from "../random.js";
export * from "../ops/index.js";
