import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport, formatReportMarkdown, writeReport } from "./report.js";
import type { ItemResult } from "./score.js";

const r = (exactMatch: number, f1: number, perturbed = false): ItemResult => ({
  id: String(Math.random()),
  prediction: "",
  exactMatch,
  f1,
  perturbed,
});

describe("report", () => {
  it("averages and scales by 100, with a Wilson interval on EM", () => {
    const rep = buildReport([r(1, 1), r(0, 0.5), r(0, 0), r(1, 1)], "context");
    expect(rep).toMatchObject({
      total: 4,
      exactMatch: 50,
      f1: 62.5,
      perturbation: { target: "context", changed: 0 },
    });
    expect(rep.exactMatchCi95.low).toBeCloseTo(15.0, 1);
    expect(rep.exactMatchCi95.high).toBeCloseTo(85.0, 1);
    expect(buildReport([])).toMatchObject({ total: 0, exactMatch: 0, f1: 0 });
  });

  it("writes JSON or a Markdown comparison atomically", async () => {
    const clean = buildReport([r(1, 1), r(1, 1)]);
    const perturbed = buildReport([r(1, 1, true), r(0, 0.5, true)], "question");
    const cmp = { clean, perturbed, delta: { exactMatch: -50, f1: -25 } };
    expect(formatReportMarkdown(cmp)).toContain("| perturbed question | 2 | 50.00 [");
    expect(formatReportMarkdown(cmp)).toContain("| Δ | | -50.00 | -25.00 |");
    const dir = await mkdtemp(join(tmpdir(), "squad-report-"));
    await writeReport(join(dir, "r.json"), cmp);
    expect(JSON.parse(await readFile(join(dir, "r.json"), "utf8")).delta.f1).toBe(-25);
  });
});
