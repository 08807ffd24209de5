import "./tensor-methods.js";
import { cpuBackend } from "./backend/cpu/index.js";
import { createCudaBackend } from "./backend/cuda/index.js";
import { registerBackend } from "./backend/registry.js";

registerBackend("cpu", cpuBackend);
// Loaded on first use of "cuda"; throws CudaUnavailableError (naming what is missing) without CUDA.
registerBackend("cuda", () => createCudaBackend());

export { AutogradError } from "./autograd/backward.js";
export { isGradEnabled, noGrad, withGrad } from "./autograd/grad-mode.js";
export type { GradNode } from "./autograd/node.js";
export type {
  AttentionSpec,
  Backend,
  CrossEntropySpec,
  Device,
  GptqMatmulSpec,
  GptqSpec,
  GptqStorages,
  PackedSpec,
  QuantGridSpec,
  QuantKernels,
  Storage,
} from "./backend/backend.js";
export { type HostPoolStats, hostPoolStats, trimHostPool } from "./backend/cpu/pool.js";
export { DeviceUnavailableError, getBackend, registerBackend } from "./backend/registry.js";
export * as cuda from "./cuda.js";
export type { DType, TypedArray } from "./dtype.js";
export { byteSize, isFloating } from "./dtype.js";
export * as io from "./io/index.js";
export * as linalg from "./linalg/index.js";
export * as nn from "./nn/index.js";
export * as ops from "./ops/index.js";
export * from "./ops/index.js";
export * as optim from "./optim/index.js";
export * as quant from "./quantized/index.js";
export { Generator, type GeneratorState, manualSeed } from "./random.js";
export { keep, tidy } from "./scope.js";
export { DTypeError, type Shape, ShapeError } from "./shape.js";
export type { BlockContext, DecoderView } from "./structure.js";
export { type RandomOptions, recordMultiOp, recordOp, Tensor, type TensorOptions } from "./tensor.js";
