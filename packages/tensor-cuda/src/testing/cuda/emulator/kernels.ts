import { kernelSpec } from "../../../backend/cuda/kernel-abi.js";
import { attentionModel } from "../../../backend/cuda/ops/attention/attention.emulation.js";
import { crossEntropyModel } from "../../../backend/cuda/ops/cross-entropy/cross-entropy.emulation.js";
import { elementwiseModel } from "../../../backend/cuda/ops/elementwise/elementwise.emulation.js";
import { gptqModel } from "../../../backend/cuda/ops/gptq/gptq.emulation.js";
import { layoutModel } from "../../../backend/cuda/ops/layout/layout.emulation.js";
import { linalgModel } from "../../../backend/cuda/ops/linalg/linalg.emulation.js";
import { normsModel } from "../../../backend/cuda/ops/norms/norms.emulation.js";
import { quantModel } from "../../../backend/cuda/ops/quant/quant.emulation.js";
import { reduceModel } from "../../../backend/cuda/ops/reduce/reduce.emulation.js";
import { ropeModel } from "../../../backend/cuda/ops/rope/rope.emulation.js";
import { softmaxModel } from "../../../backend/cuda/ops/softmax/softmax.emulation.js";
import type { KernelArg } from "../../../backend/cuda/params.js";
import type { DeviceMemory } from "./device-memory.js";
import type { KernelModel } from "./kernel-model.js";

/*
 * The emulated device's kernels: each launch goes to the JavaScript model of the source that
 * defines the kernel (ops/<family>/<family>.emulation.ts, beside the kernel it models).
 */

const MODELS: Record<string, KernelModel> = {
  "elementwise.cu": elementwiseModel,
  "layout.cu": layoutModel,
  "reduce.cu": reduceModel,
  "softmax.cu": softmaxModel,
  "norms.cu": normsModel,
  "attention.cu": attentionModel,
  "cross_entropy.cu": crossEntropyModel,
  "rope.cu": ropeModel,
  "quant.cu": quantModel,
  "linalg.cu": linalgModel,
  "gptq.cu": gptqModel,
};

export function runKernel(
  mem: DeviceMemory,
  name: string,
  args: readonly KernelArg[],
  grid: readonly number[],
): void {
  const { file } = kernelSpec(name);
  const model = MODELS[file];
  if (!model) throw new Error(`the emulator has no model of ${file} (kernel ${name})`);
  model(mem, name, args, grid);
}
