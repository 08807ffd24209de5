import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSquad } from "./dataset.js";
import { ModelProtocolError } from "./errors.js";
import type { GenerateRequest, Generator } from "./language-model.js";
import type { Progress } from "./progress.js";
import { compareSquadRobustness, evaluateSquad } from "./run.js";
import { TINY_SQUAD } from "./squad.fixture.js";

const items = parseSquad(JSON.stringify(TINY_SQUAD), "tiny.json");

/** Answers from a lookup on the question text; an unknown (e.g. perturbed) question gets "I don't know". */
const ANSWERS: Record<string, string> = {
  "Which team won Super Bowl 50?": " Denver Broncos\nQuestion: more",
  "Who lost?": " the Panthers",
  "Where was the game played?": " California",
  "What is the capital of France?": " Paris.",
  "Paris is the capital of which country?": " France",
};
function scriptedModel() {
  const calls: GenerateRequest[][] = [];
  const model: Generator = {
    generate: async (reqs) => {
      calls.push(reqs);
      return reqs.map(
        (r) => ANSWERS[/Question: (.*)\nAnswer:$/.exec(r.prompt)?.[1] ?? ""] ?? " I don't know",
      );
    },
  };
  return { model, calls };
}

// Hand-worked: q1 EM 1 F1 1 (stop cuts the rest); q2 "the Panthers" vs "Carolina Panthers": EM 0,
// F1 P = 1, R = 1/2 → 2/3; q3 "California" vs "Santa Clara": 0, 0; q4, q5: 1, 1.
const CLEAN_EM = (100 * 3) / 5;
const CLEAN_F1 = (100 * (3 + 2 / 3)) / 5;

/** Reverses the words of every other item: deterministic, and it changes the text. */
const reverseOdd = (text: string, index: number) =>
  index % 2 === 1 ? text.split(" ").reverse().join(" ") : text;

describe("evaluateSquad", () => {
  it("prompts, cuts at the stop string and scores EM / F1 × 100 as the official script", async () => {
    const { model, calls } = scriptedModel();
    const progress: Progress[] = [];
    const { report, results } = await evaluateSquad({
      model,
      items,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(calls.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(calls[0][0]).toEqual({
      prompt:
        "Context: Super Bowl 50 was won by the Denver Broncos, who beat the Carolina Panthers 24 to 10.\nQuestion: Which team won Super Bowl 50?\nAnswer:",
      maxNewTokens: 32,
      stop: ["\n"],
    });
    expect(results[0].prediction).toBe(" Denver Broncos");
    expect(results.map((r) => r.exactMatch)).toEqual([1, 0, 0, 1, 1]);
    expect(results[1].f1).toBeCloseTo(2 / 3, 12);
    expect(report.total).toBe(5);
    expect(report.exactMatch).toBeCloseTo(CLEAN_EM, 10);
    expect(report.f1).toBeCloseTo(CLEAN_F1, 10);
    expect(report.exactMatchCi95.low).toBeLessThan(CLEAN_EM);
    expect(report.perturbation).toBeUndefined();
    expect(progress.at(-1)).toMatchObject({ done: 5, total: 5 });
  });

  it("takes a custom template and stop strings", async () => {
    const { model, calls } = scriptedModel();
    await evaluateSquad({
      model,
      items: items.slice(3, 4),
      prompt: { template: "{title}\n{context}\nQuestion: {question}\nAnswer:", stop: ["\n\n"] },
      maxNewTokens: 8,
    });
    expect(calls[0][0]).toEqual({
      prompt: "Paris\nParis is the capital of France.\nQuestion: What is the capital of France?\nAnswer:",
      maxNewTokens: 8,
      stop: ["\n\n"],
    });
  });

  it("perturbs questions by item index and scores against the original answers", async () => {
    const { model, calls } = scriptedModel();
    const { report, results } = await evaluateSquad({
      model,
      items,
      perturb: reverseOdd,
      perturbTarget: "question",
    });
    expect(calls[0][1].prompt).toContain("Question: lost? Who\nAnswer:");
    expect(results.map((r) => r.perturbed)).toEqual([false, true, false, true, false]);
    // q2 and q4 now get "I don't know": q2 F1 0, q4 EM/F1 0.
    expect(report.exactMatch).toBeCloseTo(40, 10);
    expect(report.f1).toBeCloseTo(40, 10);
    expect(report.perturbation).toEqual({ target: "question", changed: 2 });
  });

  it("perturbs contexts when asked, leaving the question alone", async () => {
    const { model, calls } = scriptedModel();
    const { report } = await evaluateSquad({ model, items, perturb: reverseOdd, perturbTarget: "context" });
    expect(calls[0][1].prompt).toBe(
      "Context: 10. to 24 Panthers Carolina the beat who Broncos, Denver the by won was 50 Bowl Super\nQuestion: Who lost?\nAnswer:",
    );
    expect(report.perturbation).toEqual({ target: "context", changed: 2 });
  });

  it("resumes from its results file and re-scores stored predictions", async () => {
    const dir = await mkdtemp(join(tmpdir(), "squad-run-"));
    const resultsPath = join(dir, "results.jsonl");
    await evaluateSquad({ model: scriptedModel().model, items: items.slice(0, 2), resultsPath });
    const second = scriptedModel();
    const { report } = await evaluateSquad({ model: second.model, items, resultsPath });
    expect(second.calls.flat()).toHaveLength(3);
    expect(report.f1).toBeCloseTo(CLEAN_F1, 10);
    expect((await readFile(resultsPath, "utf8")).trim().split("\n")).toHaveLength(5);
  });

  it("rejects a model that returns the wrong number of outputs", async () => {
    const model: Generator = { generate: async () => ["x"] };
    await expect(evaluateSquad({ model, items })).rejects.toThrow(ModelProtocolError);
  });
});

describe("compareSquadRobustness", () => {
  it("reports clean, perturbed and the drop", async () => {
    const r = await compareSquadRobustness({ model: scriptedModel().model, items, perturb: reverseOdd });
    expect(r.clean.exactMatch).toBeCloseTo(CLEAN_EM, 10);
    expect(r.perturbed.exactMatch).toBeCloseTo(40, 10);
    expect(r.delta.exactMatch).toBeCloseTo(40 - CLEAN_EM, 10);
    expect(r.delta.f1).toBeCloseTo(40 - CLEAN_F1, 10);
    expect(r.clean.perturbation).toBeUndefined();
  });
});
