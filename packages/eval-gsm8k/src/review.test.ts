import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Gsm8kItem } from "./dataset.js";
import { Gsm8kDataError } from "./errors.js";
import type { GenerateRequest, Generation } from "./language-model.js";
import { formatReportMarkdown } from "./report.js";
import { readResults } from "./results-log.js";
import { applyReview, type ReviewRow, readReviewFile, selectForReview } from "./review.js";
import { evaluateGsm8k } from "./run.js";
import { scoreOutput } from "./score.js";
import { wilsonInterval } from "./wilson.js";

/** Scripted outputs, one per confidence case: [gold, output, level, automatic extraction right]. */
const CASES: [number, string | Generation, "high" | "medium" | "low", boolean][] = [
  [18, "9 * 2 = 18.\nThe answer is 18.", "high", true], // q0: a cue
  [7, "Let me think.\nThe answer is 5.\nSo $\\boxed{7}$.", "low", true], // q1: box vs cue
  [9, "He has 8. The answer is 8. Wait, 5 + 4 = 9. The correct answer is 9.", "low", true], // q2
  [4, "I am not sure.", "low", false], // q3: nothing to read
  [12, "She had 12 apples.\nThe answer is 12.\nShe gave away 3", "low", true], // q4: cue vs last
  [18, "She has 9 eggs.\nSo she makes **$18** (9 × 2)", "low", true], // q5: bold, operand after it
  [540, { text: "3 * 3 = 9 sprints and 9 * 60 = 540", finishReason: "length" }, "low", true], // q6
  [10, "Total is 6 + 4 = 10 pens", "medium", true], // q7: last number of finished working
  [25, "The answer is 20.\nShe also earns 25", "low", false], // q8: cue says 20, last number 25
  [18, { text: "18", finishReason: "stop" }, "high", true], // q9: bare answer
];

const ITEMS: Gsm8kItem[] = CASES.map(([gold], i) => ({
  id: `q${i}`,
  question: `Scripted question number ${i}?`,
  answer: `#### ${gold}`,
  gold,
}));

function scriptedModel(fail = false) {
  return {
    calls: 0,
    async generate(reqs: GenerateRequest[]) {
      if (fail) throw new Error("the model must not be called when re-scoring");
      this.calls++;
      return reqs.map(
        (r) => CASES[Number(/number (\d+)\?/.exec(r.prompt.split("Question:").at(-1)!)![1])][1],
      );
    },
  };
}

const prompt = { format: { kind: "zero-shot" as const } };
const readRows = async (file: string): Promise<ReviewRow[]> =>
  (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const writeRows = (file: string, rows: ReviewRow[]) =>
  writeFile(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
const tmp = () => mkdtemp(join(tmpdir(), "gsm8k-review-"));

describe("extraction confidence in scored results", () => {
  it.each(CASES.map((c, i) => [i, ...c] as const))("q%i: %s → %s", (i, gold, output, level, right) => {
    const r = scoreOutput(ITEMS[i], output);
    expect(r.confidence.level).toBe(level);
    expect(r.correct).toBe(right);
    expect(r.output).toBe(typeof output === "string" ? output : output.text);
    expect(r.gold).toBe(gold);
  });

  it("records the finish reason and counts a token-limit stop as truncation", () => {
    const cut = scoreOutput(ITEMS[0], { text: "9 * 2 = 18.\nThe answer is 18.", finishReason: "length" });
    expect(cut).toMatchObject({ finishReason: "length", confidence: { truncated: true, level: "medium" } });
    expect(cut.confidence.reasons).toEqual(["truncated: generation hit the token limit"]);
    expect(scoreOutput(ITEMS[0], "The answer is 18.")).not.toHaveProperty("finishReason");
  });
});

describe("review file", () => {
  it("holds the low-confidence items, lowest first, with an empty corrected field", async () => {
    const path = join(await tmp(), "review.jsonl");
    const { report } = await evaluateGsm8k({
      model: scriptedModel(),
      items: ITEMS,
      prompt,
      review: { path },
    });
    const rows = await readRows(path);
    expect(rows.map((r) => r.id)).toEqual(["q3", "q2", "q1", "q6", "q5", "q8", "q4"]);
    expect(rows.map((r) => r.score)).toEqual([...rows.map((r) => r.score)].sort((a, b) => a - b));
    expect(rows[0]).toEqual({
      id: "q3",
      question: "Scripted question number 3?",
      gold: 4,
      output: "I am not sure.",
      extracted: null,
      rule: "none",
      level: "low",
      score: 0,
      reasons: ["no number found"],
      corrected: "",
    });
    expect(rows.find((r) => r.id === "q8")).toMatchObject({
      extracted: 20,
      rule: "first-line",
      reasons: ["conflict: first-line reads 20, last-number reads 25"],
      corrected: "",
    });
    expect(rows.find((r) => r.id === "q6")!.reasons).toEqual([
      "no stated answer: read by the last-number rule",
      "truncated: generation hit the token limit",
    ]);
    expect(Object.keys(rows[0])).toEqual([
      "id",
      "question",
      "gold",
      "output",
      "extracted",
      "rule",
      "level",
      "score",
      "reasons",
      "corrected",
    ]);
    expect(report.review).toMatchObject({ file: path, candidates: 7, queued: 7, reviewed: 0, changed: 0 });
    expect(report.byConfidence).toEqual({
      high: { count: 2, correct: 2 },
      medium: { count: 1, correct: 1 },
      low: { count: 7, correct: 5 },
    });
  });

  it("sends at most maxReview items, the least confident", async () => {
    const path = join(await tmp(), "review.jsonl");
    const { report } = await evaluateGsm8k({
      model: scriptedModel(),
      items: ITEMS,
      prompt,
      review: { path, maxReview: 3 },
    });
    expect((await readRows(path)).map((r) => r.id)).toEqual(["q3", "q2", "q1"]);
    expect(report.review).toMatchObject({ candidates: 7, queued: 3 });
    const results = ITEMS.map((item, i) => scoreOutput(item, CASES[i][1]));
    expect(selectForReview(results, { levels: ["low", "medium"] }).map((r) => r.id)).toEqual([
      "q3",
      "q2",
      "q1",
      "q6",
      "q5",
      "q8",
      "q4",
      "q7",
    ]);
    expect(selectForReview(results, { maxReview: 0 })).toEqual([]);
  });
});

describe("re-scoring with a person's corrections", () => {
  it("overrides the automatic extraction for corrected ids and reports before and after", async () => {
    const dir = await tmp();
    const path = join(dir, "review.jsonl");
    const resultsPath = join(dir, "results.jsonl");
    const first = await evaluateGsm8k({
      model: scriptedModel(),
      items: ITEMS,
      prompt,
      resultsPath,
      review: { path },
    });
    expect(first.report.correct).toBe(8);

    // The person reads three outputs: q8 really answers 25, q3 gives no answer, q2 is right as read.
    const rows = await readRows(path);
    const fill: Record<string, string | number> = { q8: "25", q3: "none", q2: 9 };
    await writeRows(
      path,
      rows.map((r) => ({ ...r, corrected: fill[r.id] ?? r.corrected })),
    );

    const second = await evaluateGsm8k({
      model: scriptedModel(true),
      items: ITEMS,
      prompt,
      resultsPath,
      review: { path, maxReview: 2 },
    });
    const { report, results } = second;
    expect(report.correct).toBe(9);
    expect(report.accuracy).toBe(0.9);
    expect(report.ci95).toEqual(wilsonInterval(9, 10));
    expect(report.review).toEqual({
      file: path,
      candidates: 7,
      queued: 3,
      reviewed: 3,
      changed: 1,
      stale: 0,
      before: { correct: 8, accuracy: 0.8, ci95: wilsonInterval(8, 10) },
      after: { correct: 9, accuracy: 0.9, ci95: wilsonInterval(9, 10) },
    });
    expect(report.failures.map((f) => [f.id, f.predicted])).toEqual([["q3", null]]);
    // Rule and confidence counts stay those of the automatic extraction.
    expect(report.byRule).toEqual(first.report.byRule);
    expect(report.byConfidence).toEqual(first.report.byConfidence);
    expect(results.find((r) => r.id === "q8")).toMatchObject({
      predicted: 25,
      correct: true,
      rule: "first-line",
      review: { corrected: 25, autoPredicted: 20, autoCorrect: false },
    });

    // Rewritten with the new cap, the person's corrections kept; the log holds automatic results only.
    const kept = await readRows(path);
    expect(kept.map((r) => [r.id, r.corrected])).toEqual([
      ["q3", "none"],
      ["q2", 9],
      ["q8", "25"],
    ]);
    expect(kept.find((r) => r.id === "q8")!.extracted).toBe(20);
    const logged = await readResults(resultsPath);
    expect(logged.find((r) => r.id === "q8")).toMatchObject({ predicted: 20 });
    expect(logged.some((r) => "review" in r)).toBe(false);

    const md = formatReportMarkdown(report);
    expect(md).toContain("| answer-extract, before review | 80.0%");
    expect(md).toContain("| answer-extract, after review | 90.0%");
    expect(md).toContain("3 reviewed, 1 changed, 0 stale. Accuracy 80.0% → 90.0%.");
  });

  it("does not apply a correction made for another output", () => {
    const results = ITEMS.map((item, i) => scoreOutput(item, CASES[i][1]));
    const corrections = new Map([["q8", { value: 25, raw: "25", output: "an older output", line: 1 }]]);
    const { results: applied, stale } = applyReview(results, corrections);
    expect(stale).toEqual(["q8"]);
    expect(applied).toEqual(results);
  });
});

describe("malformed review rows", () => {
  const row = (id: string, corrected: unknown) =>
    JSON.stringify({ id, question: "q", gold: 1, output: "o", extracted: null, corrected });

  it.each([
    ["not json", /review\.jsonl:2: malformed review row/],
    ['{"id": 3, "output": "o"}', /review\.jsonl:2: expected a review row with string "id" and "output"/],
    ["[1, 2]", /review\.jsonl:2: expected a review row/],
    [row("b", "eighteen"), /review\.jsonl:2: "corrected" must be a number, "none" or empty; got "eighteen"/],
    [row("b", true), /review\.jsonl:2: "corrected" must be a number/],
    [row("a", ""), /review\.jsonl:2: id "a" appears twice/],
  ])("%s", async (bad, message) => {
    const file = join(await tmp(), "review.jsonl");
    await writeFile(file, `${row("a", "")}\n${bad}\n`);
    const err = await readReviewFile(file).catch((e) => e);
    expect(err).toBeInstanceOf(Gsm8kDataError);
    expect(err).toMatchObject({ file, line: 2 });
    expect(err.message).toMatch(message);
  });

  it("reads numbers as a person writes them, and skips blank lines and empty fields", async () => {
    const file = join(await tmp(), "review.jsonl");
    const lines = [
      row("a", "1,000"),
      "",
      row("b", " $18.50 "),
      row("c", -3),
      row("d", "NONE"),
      row("e", null),
    ];
    await writeFile(file, `${lines.join("\n")}\n`);
    const read = await readReviewFile(file);
    expect([...read].map(([id, c]) => [id, c.value, c.line])).toEqual([
      ["a", 1000, 1],
      ["b", 18.5, 3],
      ["c", -3, 4],
      ["d", null, 5],
    ]);
    expect(await readReviewFile(join(await tmp(), "absent.jsonl"))).toEqual(new Map());
  });
});

describe("the review queue and the extractions that stay ambiguous", () => {
  it("queues a cut-off tail, an output with no answer, one with no computation and a conclusion followed by restating", () => {
    const outputs: Record<string, string> = {
      cut: "Natalia sold 48 / 2 = 24 clips in May. In total she sold 48 + 24 = 72, and the June total is 72 + ",
      none: "1.\n2.\n3.\n4.\n5.\n6.",
      restated:
        "Natalia sold 48 / 2 = 24 clips in May and 48 + 24 = 72 in all.\n\nTherefore, Natalia sold 72 clips.\n\nShe sold 48 clips in April.",
      givens:
        "Natalia sold 48 clips in April.\nIn May she sold half as many, 24 clips, and she sells 72 in all.",
      stated: "Natalia sold 48 + 24 = 72 clips.\nThe answer is 72.",
      worked: "Natalia sold 48 / 2 = 24 clips in May, so 48 + 24 = 72 clips.",
    };
    const results = Object.entries(outputs).map(([id, text]) =>
      scoreOutput({ id, gold: 72, answer: "#### 72" }, text),
    );
    expect(results.map((r) => [r.id, r.predicted])).toEqual([
      ["cut", 72],
      ["none", null],
      ["restated", 72],
      ["givens", 72],
      ["stated", 72],
      ["worked", 72],
    ]);
    expect(
      selectForReview(results)
        .map((r) => r.id)
        .sort(),
    ).toEqual(["cut", "givens", "none", "restated"]);
  });
});
