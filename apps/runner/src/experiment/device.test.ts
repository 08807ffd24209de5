import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cuda } from "@shrinkray/tensor-cuda";
import { beforeAll, describe, expect, it } from "vitest";
import { haveToyTeacher, TOY_TEACHER_DIR } from "../toy/index.js";
import { loadExperiment } from "./load.js";
import { runExperiment } from "./run.js";

/*
 * `"device": "cuda"` on tensor-cuda's emulated device (the CUDA C kernels compiled for the CPU
 * where g++ exists): evaluation and distillation run there, quantization on the CPU, and every
 * figure matches the CPU run of the same experiment.
 */

function experimentFile(device: "cpu" | "cuda"): string {
  const dir = mkdtempSync(join(tmpdir(), `sr-device-${device}-`));
  const file = join(dir, "exp.json");
  writeFileSync(
    file,
    JSON.stringify({
      name: `device-${device}`,
      model: TOY_TEACHER_DIR,
      seed: 1,
      device,
      data: { problems: { kind: "toy-gsm8k", count: 4 } },
      variants: [
        { name: "baseline" },
        // A student that differs from its teacher (grouped + low-rank layers): with identical
        // models the KL gradient is rounding noise, which Adam's normalisation would amplify
        // differently on each device.
        {
          name: "distilled",
          from: "baseline",
          sparsify: { groups: 2, rank: 4, fitEpochs: 0 },
          distill: {
            data: "problems",
            steps: 2,
            batchSize: 2,
            seqLen: 32,
            teacher: { kind: "model", variant: "baseline" },
          },
        },
        { name: "rtn-4bit", from: "baseline", quantize: { method: "rtn", bits: 4, groupSize: 32 } },
      ],
      evaluate: [{ task: "perplexity", data: "problems", seqLen: 32 }],
    }),
  );
  return file;
}

describe.skipIf(!haveToyTeacher())("experiments on a device", () => {
  beforeAll(() => cuda.useEmulator({ kernels: "auto" }), 600_000);

  it("evaluates and distills on cuda with the CPU run's figures", async () => {
    const run = async (device: "cpu" | "cuda") => {
      const { experiment, baseDir } = loadExperiment(experimentFile(device));
      const out = mkdtempSync(join(tmpdir(), "sr-device-out-"));
      return runExperiment(experiment, baseDir, { outDir: out, log: () => {} });
    };
    const cpu = await run("cpu");
    const gpu = await run("cuda");
    expect(gpu.variants.map((v) => v.name)).toEqual(["baseline", "distilled", "rtn-4bit"]);
    gpu.variants.forEach((v, i) => {
      v.metrics.forEach((m, j) => {
        expect(m.name).toBe(cpu.variants[i].metrics[j].name);
        expect(m.value).toBeCloseTo(cpu.variants[i].metrics[j].value, 3);
      });
    });
    const curve = (r: typeof cpu) => r.variants[1].curves?.["distill loss"]?.map(([, l]) => l) ?? [];
    expect(curve(gpu)).toHaveLength(2);
    curve(gpu).forEach((l, i) => {
      expect(l).toBeCloseTo(curve(cpu)[i], 3);
    });
  }, 300_000);
});
