import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { comparisonTable } from "./markdown.js";
import { packageVersions, type Results, type VariantResult } from "./results.js";
import { compareRuns, plotsFor, writeRunReport } from "./write.js";

const variants: VariantResult[] = [
  {
    name: "baseline",
    method: "float32",
    bitsPerWeight: 32,
    metrics: [
      { name: "toy accuracy", value: 0.9, higherIsBetter: true },
      { name: "wiki perplexity", value: 10, higherIsBetter: false },
    ],
  },
  {
    name: "gptq-4",
    method: "gptq",
    bitsPerWeight: 4.5,
    metrics: [
      { name: "toy accuracy", value: 0.85, higherIsBetter: true },
      { name: "wiki perplexity", value: 11, higherIsBetter: false },
    ],
    curves: {
      loss: [
        [0, 2],
        [1, 1.5],
      ],
    },
  },
];

const results: Results = {
  experiment: "unit",
  config: {},
  createdAt: "2026-01-01T00:00:00Z",
  versions: {},
  machine: { platform: "linux", arch: "x64", cpus: 2, cpuModel: "cpu", memoryGiB: 24, node: "v20" },
  timings: { "variant:baseline": 1 },
  variants,
};

describe("reports", () => {
  it("signs deltas so that + is better for accuracy and for perplexity alike", () => {
    const t = comparisonTable(variants);
    const row = t.split("\n").find((l) => l.startsWith("| gptq-4"))!;
    expect(row).toContain("0.8500 (−0.0500)");
    expect(row).toContain("11.00 (−1.0000)");
    expect(t.split("\n")[0]).toBe(
      "| model | method | bits/weight | params | size on disk | toy accuracy | wiki perplexity |",
    );
  });

  it("writes results.json, report.md and the plots the data call for", () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-report-"));
    writeRunReport(dir, results);
    expect(JSON.parse(readFileSync(join(dir, "results.json"), "utf8")).experiment).toBe("unit");
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain("![accuracy-vs-bits.svg](accuracy-vs-bits.svg)");
    expect(Object.keys(plotsFor(results)).sort()).toEqual(["accuracy-vs-bits.svg", "loss-curves.svg"]);
    const svg = readFileSync(join(dir, "accuracy-vs-bits.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("toy accuracy");
    expect(compareRuns([dir, dir]).split("\n")).toHaveLength(2 + 4);
  });
});

describe("packageVersions", () => {
  it("finds the version of every @shrinkray package the runner depends on", () => {
    const v = packageVersions();
    for (const p of ["gptq", "models", "tensor-cuda", "sparse-layers", "eval-gsm8k", "eval-mmlu"])
      expect(v[`@shrinkray/${p}`]).toMatch(/^\d+\.\d+\.\d+/);
  });
});
