/*
 * The core of the package (tensor, ops, autograd, random, tidy) with the CPU backend registered,
 * for tests of that core. It mirrors src/index.ts without nn/optim/io, so these tests neither
 * depend on nor break with the layers built on top.
 */
import "../tensor-methods.js";
import { cpuBackend } from "../backend/cpu/index.js";
import { registerBackend } from "../backend/registry.js";

registerBackend("cpu", cpuBackend);

export { AutogradError } from "../autograd/backward.js";
export { isGradEnabled, noGrad, withGrad } from "../autograd/grad-mode.js";
export type { DType, TypedArray } from "../dtype.js";
export * from "../ops/index.js";
export { Generator, manualSeed } from "../random.js";
export { tidy } from "../scope.js";
export { DTypeError, type Shape, ShapeError } from "../shape.js";
export { type RandomOptions, Tensor, type TensorOptions } from "../tensor.js";
