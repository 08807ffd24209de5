import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { loadExperiment } from "../experiment/load.js";
import { runExperiment } from "../experiment/run.js";
import { haveToyTeacher, TOY_TEACHER_DIR, toGsm8kJsonl, wordProblems } from "../toy/index.js";

afterEach(() => vi.restoreAllMocks());

// The teacher runs once into a top-k cache; a later distillation trains against the cache.
describe.skipIf(!haveToyTeacher())("cache-teacher, then distill from the cache", () => {
  it("writes a cache the distill step reads back over the same rows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-cache-"));
    const data = join(dir, "gsm8k-train.jsonl");
    writeFileSync(data, toGsm8kJsonl(wordProblems({ split: "train", seed: 3, count: 24 })));
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const cache = join(dir, "cache");
    const code = await main([
      "cache-teacher",
      "--model",
      TOY_TEACHER_DIR,
      "--teacher",
      TOY_TEACHER_DIR,
      "--data",
      data,
      "--top-k",
      "4",
      "--seq-len",
      "32",
      "--out",
      cache,
    ]);
    expect(code).toBe(0);
    expect(existsSync(join(cache, "topk-00000.safetensors"))).toBe(true);

    const file = join(dir, "exp.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "from-cache",
        model: TOY_TEACHER_DIR,
        data: { train: { kind: "gsm8k", path: data }, problems: { kind: "toy-gsm8k", count: 4 } },
        variants: [
          { name: "base" },
          {
            name: "student",
            from: "base",
            distill: {
              teacher: { kind: "cache", path: cache },
              data: "train",
              steps: 3,
              batchSize: 4,
              seqLen: 32,
            },
          },
        ],
        evaluate: [{ task: "perplexity", data: "problems", seqLen: 32 }],
      }),
    );
    const { experiment, baseDir } = loadExperiment(file);
    const r = await runExperiment(experiment, baseDir, { outDir: join(dir, "run"), log: () => {} });
    expect(r.variants[1].method).toContain("distill");
    expect(r.variants[1].curves?.["distill loss"]).toHaveLength(3);
  });
});
