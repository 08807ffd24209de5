import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type DistillOptions, distill } from "./distill.js";
import { CheckpointError } from "./errors.js";
import { markovRows, sharpTeacher, tinyLlama, weights } from "./test-helpers.js";

const data = markovRows(20, 12, 3);
const evalData = markovRows(6, 12, 4);
const teacher = sharpTeacher();

// Accumulation, clipping, a warmup schedule, shuffling across epochs and on-policy sampling: every
// piece of state a checkpoint must carry is exercised.
const options = (dir?: string): DistillOptions => ({
  teacher,
  student: tinyLlama({ hidden: 16, layers: 1, seed: 7 }),
  data,
  loss: { kind: "jsd", beta: 0.5, ceWeight: 0.2 },
  optimizer: { lr: 5e-3, weightDecay: 0.01 },
  schedule: { warmupSteps: 2 },
  steps: 8,
  batchSize: 3,
  gradAccumulation: 2,
  clipNorm: 0.5,
  evalEvery: 4,
  evalData,
  seed: 11,
  onPolicy: { lambda: 0.5, maxNewTokens: 4 },
  checkpointDir: dir,
  checkpointEvery: dir ? 3 : undefined,
});

describe("checkpoints", () => {
  it("a run resumed from a checkpoint ends exactly where the uninterrupted run does", async () => {
    const whole = options();
    const full = await distill(whole);

    const dir = await mkdtemp(join(tmpdir(), "distill-ckpt-"));
    const crash = new Error("simulated crash");
    await expect(
      distill({
        ...options(dir),
        onProgress: (p) => {
          if (p.step === 5) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(JSON.parse(await readFile(join(dir, "latest.json"), "utf8")).step).toBe(3);

    // Other initial weights: whatever matches the uninterrupted run came from the checkpoint.
    const again = { ...options(dir), student: tinyLlama({ hidden: 16, layers: 1, seed: 99 }) };
    const resumed = await distill({ ...again, resume: true });
    expect(resumed.resumedFrom).toBe(3);
    expect(resumed.lossCurve).toEqual(full.lossCurve);
    expect(resumed.evals).toEqual(full.evals);
    const a = weights(whole.student);
    const b = weights(again.student);
    for (const [name, w] of a) expect(b.get(name), name).toEqual(w);

    // Atomic layout: only finished checkpoints (the newest two), the pointer and the results.
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(["latest.json", "results.json", "step-0000006", "step-0000008"]);
    const results = JSON.parse(await readFile(join(dir, "results.json"), "utf8"));
    expect(results.lossCurve).toHaveLength(8);
    expect(results.config.gradAccumulation).toBe(2);

    // The on-policy branch did run: without it the curve differs.
    const offPolicy = await distill({ ...options(), onPolicy: { lambda: 0, maxNewTokens: 4 } });
    expect(offPolicy.lossCurve).not.toEqual(full.lossCurve);
  });

  it("refuses a checkpoint of another run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "distill-ckpt-"));
    await distill({ ...options(dir), steps: 3, onPolicy: undefined, evalData: undefined });
    await expect(distill({ ...options(dir), seed: 12, resume: true })).rejects.toThrow(CheckpointError);
  });
});
