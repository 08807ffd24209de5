import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cuda } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { DEVICE_VARIANTS, deviceTolerance, writeDeviceExperiment } from "../testing/device-experiment.js";
import { haveToyTeacher, TOY_TEACHER_DIR } from "../toy/index.js";
import { loadExperiment } from "./load.js";
import { runExperiment } from "./run.js";

/*
 * `"device": "cuda"` on tensor-cuda's emulated device (the CUDA C kernels compiled for the CPU
 * where g++ exists): evaluation, distillation, layer-wise fitting and GPTQ run there,
 * round-to-nearest on the CPU, and every figure matches the CPU run of the same experiment
 * (testing/device-experiment.ts; bench/device-flow.ts runs it on a real GPU).
 */

describe.skipIf(!haveToyTeacher())("experiments on a device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  it("evaluates, distills, fits and runs GPTQ on cuda with the CPU run's figures", async () => {
    const run = async (device: "cpu" | "cuda") => {
      const { experiment, baseDir } = loadExperiment(writeDeviceExperiment(device, TOY_TEACHER_DIR));
      const out = mkdtempSync(join(tmpdir(), "sr-device-out-"));
      return runExperiment(experiment, baseDir, { outDir: out, log: () => {} });
    };
    const cpu = await run("cpu");
    const before = cuda.memoryStats().allocatedBytes;
    const gpu = await run("cuda");
    // Models go back to the CPU after each step; activations, optimizer state, Hessians and
    // calibration batches are freed on the way, not left to the GC.
    expect(cuda.memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
    expect(gpu.variants.map((v) => v.name)).toEqual([...DEVICE_VARIANTS]);
    gpu.variants.forEach((v, i) => {
      v.metrics.forEach((m, j) => {
        const want = cpu.variants[i].metrics[j];
        expect(m.name).toBe(want.name);
        expect(Math.abs(m.value / want.value - 1), `${v.name} ${m.name}`).toBeLessThan(
          deviceTolerance(v.name),
        );
      });
    });
    const curve = (r: typeof cpu) => r.variants[1].curves?.["distill loss"]?.map(([, l]) => l) ?? [];
    expect(curve(gpu)).toHaveLength(2);
    curve(gpu).forEach((l, i) => {
      expect(l).toBeCloseTo(curve(cpu)[i], 3);
    });
  }, 300_000);
});
