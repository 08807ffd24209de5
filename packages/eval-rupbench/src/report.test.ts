import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { headlineToMarkdown, reportToMarkdown } from "./markdown.js";
import { PERTURBATIONS, type Perturbation } from "./perturbation-kinds.js";
import { buildReport, headlineRow } from "./report.js";
import type { ScoredItem } from "./score.js";
import { writeReport } from "./write.js";

/** 10 items: 8 right on the original; typos breaks 4 of those; other perturbations change nothing. */
function scored(dataset = "D"): ScoredItem[] {
  return Array.from({ length: 10 }, (_, i) => {
    const orig = i < 8;
    const scores = Object.fromEntries(
      PERTURBATIONS.map((p) => [p, { correct: p === "typos" ? orig && i >= 4 : orig, correctNorm: orig }]),
    ) as Partial<Record<Perturbation, { correct: boolean }>>;
    return {
      id: `${dataset}${i}`,
      dataset,
      category: "c",
      defective: Object.fromEntries(PERTURBATIONS.map((p) => [p, p === "typos" && i < 2])),
      scores: { original: { correct: orig, correctNorm: orig }, ...scores },
    };
  });
}

describe("buildReport", () => {
  it("computes accuracies, difference and PDR per perturbation", () => {
    const r = buildReport(scored(), { bootstrapSamples: 200 });
    const typos = r.datasets[0].perturbations.find((p) => p.perturbation === "typos")!;
    expect(typos).toMatchObject({
      n: 10,
      excluded: 0,
      accOriginal: 0.8,
      accPerturbed: 0.4,
      level: "lexical",
    });
    expect(typos.difference).toBeCloseTo(0.4);
    expect(typos.pdr).toBeCloseTo(0.5);
    expect(typos.accOriginalCI.low).toBeCloseTo(0.4902, 4);
    expect(typos.differenceCI.low).toBeGreaterThan(0);
    expect(typos.differenceCI.high).toBeLessThanOrEqual(1);
    const stressRow = r.datasets[0].perturbations.find((p) => p.perturbation === "stress")!;
    expect(stressRow.difference).toBe(0);
    expect(stressRow.differenceCI).toEqual({ low: 0, high: 0 });
  });

  it("averages differences and PDRs per level and overall", () => {
    const d = buildReport(scored(), { bootstrapSamples: 100 }).datasets[0];
    const lexical = d.levels.find((l) => l.level === "lexical")!;
    expect(lexical.perturbations).toEqual(["homophones", "typos", "leetspeak"]);
    expect(lexical.difference).toBeCloseTo(0.4 / 3);
    expect(lexical.pdr).toBeCloseTo(0.5 / 3);
    expect(d.mean.difference).toBeCloseTo(0.4 / 9);
    expect(d.levels.map((l) => l.level)).toEqual(["lexical", "syntactic", "semantic"]);
  });

  it("excludes defective items pairwise, per perturbation", () => {
    const typos = buildReport(scored(), {
      excludeDefective: true,
      bootstrapSamples: 50,
    }).datasets[0].perturbations.find((p) => p.perturbation === "typos")!;
    expect(typos).toMatchObject({ n: 8, excluded: 2, accOriginal: 6 / 8, accPerturbed: 4 / 8 });
  });

  it("reports per dataset and pooled, reproducibly, with acc_norm on request", () => {
    const items = [...scored("X"), ...scored("Y")];
    const a = buildReport(items, { bootstrapSamples: 100, bootstrapSeed: 5 });
    expect(a.datasets.map((d) => d.dataset)).toEqual(["X", "Y"]);
    expect(a.overall.n).toBe(20);
    expect(buildReport(items, { bootstrapSamples: 100, bootstrapSeed: 5 })).toEqual(a);
    const norm = buildReport(items, { metric: "acc_norm", bootstrapSamples: 10 });
    expect(norm.overall.mean.difference).toBe(0);
  });

  it("gives NaN (null in JSON) PDR when the original accuracy is zero", () => {
    const zero = scored().map((s) => ({
      ...s,
      scores: { original: { correct: false }, typos: { correct: false } },
    }));
    const r = buildReport(zero, { bootstrapSamples: 10 });
    expect(r.datasets[0].perturbations).toHaveLength(1);
    expect(Number.isNaN(r.datasets[0].perturbations[0].pdr)).toBe(true);
    expect(JSON.parse(JSON.stringify(r)).datasets[0].perturbations[0].pdr).toBeNull();
  });
});

describe("report views and writers", () => {
  it("renders markdown tables and the headline table", () => {
    const r = buildReport(scored(), { bootstrapSamples: 50 });
    const md = reportToMarkdown(r);
    expect(md).toContain("| typos | lexical | 10 | 80.0 [49.0, 94.3] | 40.0 [16.8, 68.7] |");
    expect(md).toContain("## All datasets (n = 10");
    const row = headlineRow(r, "tiny-llama", "gptq-4bit");
    expect(row.accuracy).toBeCloseTo(0.8);
    expect(row.adversarialAccuracy).toBeCloseTo(0.8 - 0.4 / 9);
    expect(row.difference).toBeCloseTo(row.accuracy - row.adversarialAccuracy);
    expect(headlineToMarkdown([row])).toContain("| tiny-llama | gptq-4bit | 80.0 | 75.6 | 4.4 |");
  });

  it("writes JSON and markdown atomically (no temp files left)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rupbench-"));
    const r = buildReport(scored(), { bootstrapSamples: 20 });
    await writeReport(r, { json: join(dir, "out/results.json"), markdown: join(dir, "out/report.md") });
    expect((await readdir(join(dir, "out"))).sort()).toEqual(["report.md", "results.json"]);
    expect(JSON.parse(await readFile(join(dir, "out/results.json"), "utf8")).metric).toBe("acc");
  });
});
