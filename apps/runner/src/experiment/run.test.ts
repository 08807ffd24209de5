import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { haveToyTeacher, TOY_TEACHER_DIR } from "../toy/index.js";
import { loadExperiment } from "./load.js";
import { runExperiment } from "./run.js";

// End to end on the committed toy teacher: build a baseline and a 4-bit RTN variant, evaluate
// both, write the report; a second run resumes and redoes nothing.
describe.skipIf(!haveToyTeacher())("runExperiment on the toy teacher", () => {
  it("runs, reports, checkpoints a real GPTQ-format variant, and resumes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-run-"));
    const file = join(dir, "exp.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "e2e",
        model: TOY_TEACHER_DIR,
        seed: 1,
        data: { problems: { kind: "toy-gsm8k", count: 8 } },
        variants: [
          { name: "baseline" },
          { name: "rtn-4bit", from: "baseline", quantize: { method: "rtn", bits: 4, groupSize: 32 } },
        ],
        evaluate: [
          { task: "gsm8k", data: "problems", maxNewTokens: 72 },
          { task: "perplexity", data: "problems", seqLen: 64 },
        ],
        samples: [
          "Question: Ana has 2 apples. She buys 3 more apples. How many apples does Ana have now?\nAnswer:",
        ],
      }),
    );
    const { experiment, baseDir } = loadExperiment(file);
    const out = join(dir, "run");
    const lines: string[] = [];
    const r1 = await runExperiment(experiment, baseDir, { outDir: out, log: (l) => lines.push(l) });
    expect(r1.variants.map((v) => v.name)).toEqual(["baseline", "rtn-4bit"]);
    const acc = r1.variants[0].metrics.find((m) => m.name === "problems accuracy")!;
    expect(acc.value).toBeGreaterThanOrEqual(0.5); // the teacher solves most toy problems
    expect(r1.variants[1].sizeOnDiskBytes!).toBeLessThan(r1.variants[0].sizeOnDiskBytes! / 3);
    expect(r1.variants[1].parameters).toBe(r1.variants[0].parameters);
    const q = JSON.parse(readFileSync(join(out, "variants", "rtn-4bit", "config.json"), "utf8"));
    expect(q.quantization_config).toMatchObject({ quant_method: "gptq", bits: 4, group_size: 32 });
    for (const f of ["results.json", "report.md", "accuracy-vs-bits.svg"])
      expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("## Sample answers");

    const again: string[] = [];
    const r2 = await runExperiment(experiment, baseDir, { outDir: out, log: (l) => again.push(l) });
    expect(again.filter((l) => l.startsWith("[step]"))).toEqual([]);
    expect(r2.variants.map((v) => v.metrics)).toEqual(r1.variants.map((v) => v.metrics));
  });
});
