import { describe, expect, it } from "vitest";
import { extractWithConfidence } from "./confidence.js";
import { extractAnswer } from "./extract.js";
import { REALISTIC_OUTPUTS } from "./realistic-outputs.fixture.js";
import { repetitionTail } from "./repetition.js";

const conf = (text: string, truncated?: boolean) => extractWithConfidence(text, { truncated }).confidence;

describe("confidence levels", () => {
  it.each([
    ["a cue, nothing else disagreeing", "9 * 2 = 18.\nThe answer is 18.", "high", "answer-cue"],
    ["a box that agrees with its cue", "9 * 2 = 18.\nThe final answer is: $\\boxed{18}$", "high", "boxed"],
    ["a bare first line", "18", "high", "first-line"],
    ["the last number of finished working", "She sells 9 eggs, so 9 * 2 = 18", "medium", "last-number"],
    ["a bold number on the last line", "She has 9 eggs.\nSo she makes **$18** (9 × 2)", "low", "bold"],
    [
      "a stated answer, then a degenerate loop",
      `The answer is 18.${" 18.".repeat(30)}`,
      "medium",
      "first-line",
    ],
    ["nothing to read", "I cannot answer that.", "low", "none"],
    [
      "the cue says 18, the last number 20",
      "She sells 9 eggs.\nThe answer is 18.\nShe also earns 20",
      "low",
      "answer-cue",
    ],
    [
      "a box that disagrees with the cue",
      "She sells 9 eggs.\nThe answer is 18.\nSo $\\boxed{20}$.",
      "low",
      "boxed",
    ],
    [
      "working cut off before any answer",
      "He runs 3 * 3 = 9 sprints.\n9 * 60 = 540 meters. 540. 540. 540. 540. 540. 540. 5",
      "low",
      "last-number",
    ],
  ])("%s → %s", (_kind, text, level, rule) => {
    const c = conf(text);
    expect(c.rule).toBe(rule);
    expect(c.level).toBe(level);
    expect(c.rule).toBe(extractAnswer(text).rule);
  });

  it("names the conflicting candidates and a reason for each", () => {
    const c = conf("She sells 9 eggs.\nThe answer is 18.\nSo $\\boxed{20}$.");
    expect(c.conflicts.map((x) => [x.rule, x.value])).toEqual([["answer-cue", 18]]);
    expect(c.reasons).toEqual(["conflict: boxed reads 20, answer-cue reads 18"]);
    const last = conf("She sells 9 eggs.\nThe answer is 18.\nShe also earns 20");
    expect(last.conflicts.map((x) => [x.rule, x.value])).toEqual([["last-number", 20]]);
    expect(last.reasons).toEqual(["conflict: answer-cue reads 18, last-number reads 20"]);
  });

  it("gives a high level no reasons and lists every problem otherwise", () => {
    expect(conf("The answer is 18.").reasons).toEqual([]);
    expect(conf("She sells 9 eggs, so 9 * 2 = 18").reasons).toEqual([
      "no stated answer: read by the last-number rule",
    ]);
    expect(conf("Nothing").reasons).toEqual(["no number found"]);
  });

  it("a self-correction is a conflict between cues", () => {
    const c = conf("The answer is 8. Wait, he got 4 toys, so 5 + 4 = 9. The correct answer is 9.");
    expect(c).toMatchObject({ level: "low", rule: "answer-cue" });
    expect(c.reasons).toContain("conflict: answer-cue reads 9, answer-cue reads 8");
  });

  it("does not count a cue number cut off by the token limit as a conflict, but marks truncation", () => {
    const c = conf("She has 39 left. The answer is 39. The answer is 3");
    expect(c.conflicts).toEqual([]);
    expect(c).toMatchObject({ truncated: true, degenerate: false, level: "medium" });
    expect(c.reasons).toEqual(["truncated: the output ends mid-number"]);
  });

  it("sees truncation in an unclosed box, and trusts the caller over the text", () => {
    const text = "So 4 * 12 = 48 eggs in total. The final answer is: $\\boxed{48";
    expect(conf(text)).toMatchObject({ truncated: true, rule: "answer-cue", level: "medium" });
    expect(conf(text).reasons).toEqual(["truncated: the output ends inside an unclosed \\boxed{"]);
    expect(conf(text, false)).toMatchObject({ truncated: false, level: "high" });
    expect(conf("The answer is 18.", true)).toMatchObject({ truncated: true, level: "medium" });
    expect(conf("The answer is 18.", true).reasons).toEqual(["truncated: generation hit the token limit"]);
  });

  it("marks a degenerate tail with its length and unit", () => {
    const c = conf(`The answer is 18.${" 18.".repeat(30)}`);
    expect(c.degenerate).toBe(true);
    expect(c.reasons).toEqual(["degenerate: the last 124 characters repeat a 4-character unit"]);
  });

  it("scores within the level's band, lower for worse problems", () => {
    const band = { low: [0, 0.4], medium: [0.4, 0.7], high: [0.7, 1] } as const;
    for (const c of REALISTIC_OUTPUTS) {
      const { level, score } = conf(c.output);
      expect(score).toBeGreaterThanOrEqual(band[level][0]);
      expect(score).toBeLessThanOrEqual(band[level][1]);
    }
    const boxVsCue = conf("She sells 9 eggs.\nThe answer is 18.\nSo $\\boxed{20}$.").score;
    const cueVsLast = conf("She sells 9 eggs.\nThe answer is 18.\nShe also earns 20").score;
    expect(boxVsCue).toBeLessThan(cueVsLast);
    expect(conf("The answer is 18.").score).toBeGreaterThan(conf("She sells 9 eggs, so 9 * 2 = 18").score);
  });

  it("does not read the parts of a boxed value as rivals", () => {
    for (const box of ["\\frac{3}{4}", "\\dfrac34", "12{,}500", "2\\frac{1}{2}"]) {
      expect(conf(`So she drinks $\\boxed{${box}}$`)).toMatchObject({ level: "high", conflicts: [] });
    }
  });

  it("sends few of the realistic outputs to review, and no boxed or cued answer", () => {
    const levels = REALISTIC_OUTPUTS.map((c) => conf(c.output).level);
    // The counts the README quotes.
    expect(levels.filter((l) => l === "low")).toHaveLength(9);
    expect(levels.filter((l) => l === "medium")).toHaveLength(12);
    for (const c of REALISTIC_OUTPUTS.filter((c) => /^(boxed|answer cue)/.test(c.kind))) {
      expect(conf(c.output).level, c.kind).not.toBe("low");
    }
  });
});

describe("repetitionTail", () => {
  it("finds the shortest repeating unit, a cut-off last copy included", () => {
    expect(repetitionTail(`Start. ${"18. ".repeat(20)}1`)).toEqual({ period: 4, start: 5 });
    expect(repetitionTail(`x${"The answer is 18.\n".repeat(4)}`)).toMatchObject({ period: 18, start: 1 });
  });

  it("ignores short or few repeats", () => {
    expect(repetitionTail("The answer is 18. 18")).toBeNull();
    expect(repetitionTail("The answer is 39. The answer is 39. The answer is 3")).toBeNull();
    expect(repetitionTail("hahaha")).toBeNull();
    expect(repetitionTail("")).toBeNull();
  });

  // Speed is a benchmark's business (bench/); here only the answer on a megabyte-long loop.
  it("finds the period of a megabyte-long loop", () => {
    const text = `The answer is 18.${" 18.".repeat(250_000)}`;
    expect(repetitionTail(text)?.period).toBe(4);
    expect(extractWithConfidence(text).confidence.degenerate).toBe(true);
  });
});
