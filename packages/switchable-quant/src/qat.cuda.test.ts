import { Generator, optim } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { adapterParameters, makeSwitchable } from "./make-switchable.js";
import { trainQat } from "./qat.js";
import { cptSchedule } from "./schedules.js";
import { batchOf, mse, trainedTinyNet } from "./testing/tiny-model.js";

/*
 * Per-width LoRA QAT with the model on tensor-cuda's emulated CUDA device (kernels compiled for
 * the CPU where g++ exists): fake quantization, adapters, distillation and the optimizer all run
 * on the device, and the losses follow the CPU run.
 */

async function run(device: "cpu" | "cuda") {
  const { model, task } = trainedTinyNet(20);
  const layers = makeSwitchable(model);
  for (const l of layers.values())
    l.addAdapters([2, 4], { rank: 2, generator: new Generator(5) }).freezeBase();
  model.to(device);
  const opt = new optim.AdamW(adapterParameters(layers), { lr: 3e-3, weightDecay: 0 });
  const g = new Generator(8);
  return trainQat({
    model,
    optimizer: opt,
    steps: 3,
    batch: () => {
      const b = batchOf(task.train, 16, g);
      return { input: b.x.to(device), target: b.y.to(device) };
    },
    loss: mse,
    schedule: cptSchedule({ min: 2, max: 4, period: 3 }),
    distill: { weight: 0.5, loss: (s, t) => mse(s, t) },
  });
}

describe("QAT on the emulated CUDA device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  it("fake-quantized forward, LoRA and distillation follow the CPU losses", async () => {
    const cpu = await run("cpu");
    const gpu = await run("cuda");
    expect(gpu.map((s) => s.widths)).toEqual(cpu.map((s) => s.widths));
    gpu.forEach((s, i) => {
      expect(s.loss).toBeCloseTo(cpu[i].loss, 4);
    });
  });
});
