import { describe, expect, it } from "vitest";
import { buildReport, formatReportMarkdown } from "./report.js";
import type { ItemResult } from "./score.js";
import { argmax } from "./score.js";
import { wilsonInterval } from "./wilson.js";

const r = (subject: string, correct: boolean): ItemResult => ({
  id: `${subject}-${Math.random()}`,
  subject,
  answer: 0,
  predicted: correct ? 0 : 1,
  correct,
  logprobs: [0, 0, 0, 0],
});

describe("buildReport", () => {
  // anatomy (other): 1/2; virology (other): 3/3; college_physics (STEM): 0/1; astrology: 1/2 (no category).
  const results = [
    r("anatomy", true),
    r("anatomy", false),
    r("virology", true),
    r("virology", true),
    r("virology", true),
    r("college_physics", false),
    r("astrology", true),
    r("astrology", false),
  ];
  const report = buildReport(results);

  it("weights the overall score by questions and gives the subject mean separately", () => {
    expect(report).toMatchObject({ total: 8, correct: 5, accuracy: 5 / 8 });
    expect(report.ci95).toEqual(wilsonInterval(5, 8));
    expect(report.macroAccuracy).toBeCloseTo((0.5 + 1 + 0 + 0.5) / 4, 12);
  });

  it("scores each subject and each category, weighted by questions", () => {
    expect(report.subjects.anatomy).toMatchObject({ total: 2, correct: 1, accuracy: 0.5, category: "other" });
    expect(report.subjects.astrology.category).toBeNull();
    expect(report.categories.other).toMatchObject({ total: 5, correct: 4, accuracy: 0.8, subjects: 2 });
    expect(report.categories.STEM).toMatchObject({ total: 1, correct: 0, accuracy: 0, subjects: 1 });
    expect(report.categories.humanities).toBeUndefined();
  });

  it("formats a Markdown table", () => {
    const md = formatReportMarkdown(report);
    expect(md).toContain("# MMLU: 62.5% (5/8; subject mean 50.0%)");
    expect(md).toContain("| **other** | 4/5 | 80.0% [");
    expect(md).toContain("| virology | 3/3 | 100.0% [");
  });
});

describe("argmax", () => {
  it("takes the highest log-likelihood; a tie goes to the earlier letter", () => {
    expect(argmax([-3, -1, -2, -4])).toBe(1);
    expect(argmax([-1, -2, -1, -1])).toBe(0);
  });
});
