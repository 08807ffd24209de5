import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ModelProtocolError } from "./errors.js";
import type { LoglikelihoodRequest, LoglikelihoodScorer } from "./language-model.js";
import type { Progress } from "./progress.js";
import { evaluateMmlu } from "./run.js";
import { item } from "./test-items.fixture.js";

/** Prefers the letter named in the question ("Q…→C"), otherwise " A"; records every request. */
function scriptedModel() {
  const calls: LoglikelihoodRequest[][] = [];
  const model: LoglikelihoodScorer = {
    loglikelihood: async (reqs) => {
      calls.push(reqs);
      return reqs.map(({ context, continuation }) => {
        const wanted = /→([ABCD])\n/.exec(context.slice(context.lastIndexOf("\n\n")))?.[1] ?? "A";
        return { logprob: continuation === ` ${wanted}` ? -0.1 : -2, greedy: false };
      });
    },
  };
  return { model, calls };
}

const items = [
  item("anatomy", 0, 2, "Q→C"),
  item("anatomy", 1, 1, "Q→A"),
  item("virology", 0, 3, "Q→D"),
  item("college_physics", 0, 0, "Q→A"),
  item("college_physics", 1, 0, "Q→B"),
];

describe("evaluateMmlu", () => {
  it("scores by the log-likelihood of the four letters, batched, with progress", async () => {
    const { model, calls } = scriptedModel();
    const progress: Progress[] = [];
    const { report, results } = await evaluateMmlu({
      model,
      items,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(calls.map((c) => c.length)).toEqual([8, 8, 4]);
    expect(calls[0].slice(0, 4).map((r) => r.continuation)).toEqual([" A", " B", " C", " D"]);
    expect(results.map((r) => r.predicted)).toEqual([2, 0, 3, 0, 1]);
    expect(report).toMatchObject({ total: 5, correct: 3 });
    expect(report.categories.other).toMatchObject({ total: 3, correct: 2 });
    expect(report.categories.STEM).toMatchObject({ total: 2, correct: 1 });
    expect(progress.map((p) => p.done)).toEqual([2, 4, 5]);
  });

  it("uses the first `shots` dev rows of the item's subject, 0-shot without them", async () => {
    const { model, calls } = scriptedModel();
    const dev = { anatomy: [0, 1, 2].map((i) => item("anatomy", 100 + i, i, `D${i}?`)) };
    await evaluateMmlu({ model, items: items.slice(0, 3), dev, shots: 2, batchSize: 3 });
    const contexts = calls[0].filter((_, i) => i % 4 === 0).map((r) => r.context);
    expect(contexts[0]).toContain("D0?\nA. w\nB. x\nC. y\nD. z\nAnswer: A\n\nD1?");
    expect(contexts[0]).not.toContain("D2?");
    expect(contexts[2]).toBe(
      "The following are multiple choice questions (with answers) about virology.\n\nQ→D\nA. w\nB. x\nC. y\nD. z\nAnswer:",
    );
  });

  it("resumes from its results file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mmlu-run-"));
    const resultsPath = join(dir, "results.jsonl");
    const first = scriptedModel();
    await evaluateMmlu({ model: first.model, items: items.slice(0, 2), resultsPath });
    // A torn last line (a crash mid-append) is dropped, not an error.
    await writeFile(resultsPath, `${await readFile(resultsPath, "utf8")}{"id":"viro`);
    const second = scriptedModel();
    const { report } = await evaluateMmlu({ model: second.model, items, resultsPath });
    expect(second.calls.flat()).toHaveLength(4 * 3);
    expect(report.total).toBe(5);
    expect((await readFile(resultsPath, "utf8")).trim().split("\n")).toHaveLength(5);
  });

  it("rejects a model that returns the wrong number of results", async () => {
    const model: LoglikelihoodScorer = { loglikelihood: async () => [{ logprob: 0, greedy: true }] };
    await expect(evaluateMmlu({ model, items })).rejects.toThrow(ModelProtocolError);
  });
});
