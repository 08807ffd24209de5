import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheTeacher } from "./cache-teacher.js";
import { openTeacherCache } from "./cached-teacher.js";
import { distill } from "./distill.js";
import { evaluate } from "./evaluate.js";
import { modelTeacher } from "./model-teacher.js";
import type { Progress } from "./progress.js";
import { markovRows, sharpTeacher, tinyLlama } from "./test-helpers.js";

const train = markovRows(96, 20, 1);
const heldOut = markovRows(24, 20, 2);
const student = () => tinyLlama({ hidden: 16, layers: 1, seed: 7 });

/** KL(teacher ‖ student) on held-out text, against the dense teacher whatever was trained on. */
async function heldOutKl(s: ReturnType<typeof student>, teacher = sharpTeacher()): Promise<number> {
  return (await evaluate(s, modelTeacher(teacher), heldOut)).kl;
}

describe("distillation lowers the student's held-out KL to the teacher", () => {
  const teacher = sharpTeacher();
  const common = {
    data: train,
    steps: 60,
    batchSize: 8,
    optimizer: { lr: 1e-2 },
    schedule: "constant" as const,
  };

  for (const kind of ["forward_kl", "reverse_kl"] as const) {
    it(`${kind}, dense in-process teacher`, async () => {
      const s = student();
      const before = await heldOutKl(s, teacher);
      const progress: Progress[] = [];
      const res = await distill({
        ...common,
        teacher,
        student: s,
        loss: { kind },
        evalData: heldOut,
        evalEvery: 30,
        onProgress: (p) => progress.push(p),
      });
      const after = await heldOutKl(s, teacher);
      console.log(`${kind}: held-out KL ${before.toFixed(4)} → ${after.toFixed(4)}`);
      expect(after).toBeLessThan(0.7 * before);
      expect(res.lossCurve).toHaveLength(60);
      expect(res.lossCurve.at(-1)!.loss).toBeLessThan(res.lossCurve[0].loss);
      expect(res.evals.map((e) => e.step)).toEqual([0, 30, 60]);
      expect(res.finalEval!.kl).toBeCloseTo(after, 4);
      expect(progress.at(-1)!.tokensPerSecond).toBeGreaterThan(0);
      expect(progress[0].etaSeconds).toBeGreaterThan(0);
      expect(progress.at(-1)!.etaSeconds).toBe(0);
    });
  }

  it("top-k cached teacher (k = 6, float16 on disk)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "distill-cache-"));
    const index = await cacheTeacher({
      teacher: modelTeacher(teacher),
      data: train,
      dir,
      k: 6,
      shardRows: 40,
    });
    expect(index.shards.map((s) => s.rows)).toEqual([40, 40, 16]);
    const cached = await openTeacherCache(dir, { data: train });
    const s = student();
    const before = await heldOutKl(s, teacher);
    await distill({ ...common, teacher: cached, student: s, loss: { kind: "forward_kl" } });
    await cached.close();
    const after = await heldOutKl(s, teacher);
    console.log(`top-6 cache: held-out KL (to the dense teacher) ${before.toFixed(4)} → ${after.toFixed(4)}`);
    expect(after).toBeLessThan(0.7 * before);
  });
});
