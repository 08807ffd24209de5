import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { type Gsm8kItem, loadGsm8kJsonl } from "./dataset.js";
import type { GenerateRequest, LanguageModel } from "./language-model.js";
import type { Progress } from "./progress.js";
import { writeReport } from "./report.js";
import { readResults } from "./results-log.js";
import { evaluateGsm8k, ModelProtocolError } from "./run.js";
import { wilsonInterval } from "./wilson.js";

const TEST_FILE = fileURLToPath(new URL("../../../../shared/data/gsm8k/test.jsonl", import.meta.url));
const hasData = existsSync(TEST_FILE);

type Style = "cue" | "boxed" | "wrong" | "first-line";
const STYLES: Style[] = ["cue", "boxed", "wrong", "first-line"];
const styleOf = (item: Gsm8kItem) => STYLES[Number(item.id.split("-").at(-1)) % 4];

/** A scripted model: answers each question in one of four styles, by item number. */
function scriptedOutput(item: Gsm8kItem): string {
  const g = item.gold;
  switch (styleOf(item)) {
    case "cue":
      return `Step: ${g} - 0 = ${g}.\nThe answer is ${g}.`;
    case "boxed":
      return `Working it out.\nThe final answer is: $\\boxed{${g}}$`;
    case "wrong":
      return `Adding one more.\nThe answer is ${g + 1}.`;
    case "first-line":
      return `${g}\n\nQ: Another question with 7 apples?\nA: 0.5 apples`;
  }
}

class FakeModel implements LanguageModel {
  calls: GenerateRequest[][] = [];
  constructor(
    private readonly byQuestion: Map<string, Gsm8kItem>,
    private readonly failOnCall = -1,
  ) {}
  async generate(reqs: GenerateRequest[]): Promise<string[]> {
    if (this.calls.length === this.failOnCall) throw new Error("model crashed");
    this.calls.push(reqs);
    return reqs.map((r) => {
      const q = /\nQ: ([^\n]*)\nA:$/.exec(r.prompt)?.[1];
      const item = q === undefined ? undefined : this.byQuestion.get(q);
      if (!item) throw new Error(`unexpected prompt ending ${JSON.stringify(r.prompt.slice(-80))}`);
      return scriptedOutput(item);
    });
  }
  async loglikelihood(): Promise<{ logprob: number; greedy: boolean }[]> {
    throw new Error("not used by GSM8K");
  }
}

describe.skipIf(!hasData)(`end to end on the real test set (skipped: ${TEST_FILE} absent)`, () => {
  let items: Gsm8kItem[];
  let byQuestion: Map<string, Gsm8kItem>;
  beforeAll(async () => {
    items = await loadGsm8kJsonl(TEST_FILE);
    byQuestion = new Map(items.map((i) => [i.question, i]));
  });

  it("scores all 1,319 items with the expected accuracy, rules, harness scores and failures", async () => {
    const model = new FakeModel(byQuestion);
    const progress: Progress[] = [];
    const { report, results } = await evaluateGsm8k({
      model,
      items,
      batchSize: 64,
      onProgress: (p) => progress.push(p),
    });
    const count = (s: Style) => items.filter((i) => styleOf(i) === s).length;
    const right = count("cue") + count("boxed") + count("first-line");

    expect(items).toHaveLength(1319);
    expect(report.total).toBe(1319);
    expect(report.correct).toBe(right);
    expect(report.accuracy).toBeCloseTo(right / 1319, 12);
    expect(report.ci95).toEqual(wilsonInterval(right, 1319));
    expect(report.byRule).toEqual({
      boxed: { count: count("boxed"), correct: count("boxed") },
      "first-line": { count: count("first-line"), correct: count("first-line") },
      "answer-cue": { count: count("cue") + count("wrong"), correct: count("cue") },
      bold: { count: 0, correct: 0 },
      "last-number": { count: 0, correct: 0 },
      none: { count: 0, correct: 0 },
    });
    // gsm8k-cot strict-match only sees "The answer is N."; flexible-extract the last number.
    expect(report.harness.strictMatch.correct).toBe(count("cue"));
    expect(report.harness.flexibleExtract.correct).toBe(count("cue") + count("boxed"));
    const wrong = items.filter((i) => styleOf(i) === "wrong");
    expect(report.failures.map((f) => f.id)).toEqual(wrong.map((i) => i.id));
    expect(report.failures[0]).toMatchObject({ gold: wrong[0].gold, predicted: wrong[0].gold + 1 });
    expect(results.map((r) => r.id)).toEqual(items.map((i) => i.id));

    expect(model.calls).toHaveLength(Math.ceil(1319 / 64));
    expect(model.calls.every((c) => c.length <= 64)).toBe(true);
    const req = model.calls[0][0];
    expect(req.maxNewTokens).toBe(256);
    expect(req.stop).toContain("Q:");
    expect(req.prompt.match(/The answer is \d+\./g)).toHaveLength(8);
    expect(progress.at(-1)).toMatchObject({ done: 1319, total: 1319, etaSeconds: 0 });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
  });

  it("resumes after a crash without generating finished items again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gsm8k-run-"));
    const resultsPath = join(dir, "results.jsonl");
    const some = items.slice(0, 100);
    const crashing = new FakeModel(byQuestion, 2);
    await expect(evaluateGsm8k({ model: crashing, items: some, batchSize: 16, resultsPath })).rejects.toThrow(
      "model crashed",
    );
    expect((await readResults(resultsPath)).map((r) => r.id)).toEqual(some.slice(0, 32).map((i) => i.id));

    const resumed = new FakeModel(byQuestion);
    const progress: Progress[] = [];
    const { report } = await evaluateGsm8k({
      model: resumed,
      items: some,
      batchSize: 16,
      resultsPath,
      onProgress: (p) => progress.push(p),
    });
    const asked = resumed.calls
      .flat()
      .map((r) => byQuestion.get(/\nQ: ([^\n]*)\nA:$/.exec(r.prompt)![1])!.id);
    expect(asked).toEqual(some.slice(32).map((i) => i.id));
    expect(progress[0].done).toBe(48);

    const fresh = await evaluateGsm8k({ model: new FakeModel(byQuestion), items: some, batchSize: 16 });
    expect(report).toEqual(fresh.report);
    expect((await readResults(resultsPath)).length).toBe(100);

    await writeReport(join(dir, "report.json"), report);
    await writeReport(join(dir, "report.md"), report);
    expect(JSON.parse(await readFile(join(dir, "report.json"), "utf8"))).toEqual(report);
    expect(await readFile(join(dir, "report.md"), "utf8")).toContain(
      `# GSM8K: ${report.correct}/100 correct`,
    );
    expect((await readdir(dir)).sort()).toEqual(["report.json", "report.md", "results.jsonl"]);
  });

  it("zero-shot and few-shot prompts score with the '#### N' strict match", async () => {
    const some = items.slice(0, 8);
    const model: LanguageModel = {
      generate: async (reqs) => reqs.map(() => "She earns 9 * 2 = 18 dollars.\n#### 18"),
      loglikelihood: async () => [],
    };
    const train = items.slice(100, 120);
    for (const format of [
      { kind: "zero-shot" as const },
      { kind: "few-shot" as const, shots: 3, train, seed: 7 },
    ]) {
      const { report } = await evaluateGsm8k({ model, items: some, prompt: { format } });
      expect(report.correct).toBe(1); // only test-0's gold is 18
      expect(report.harness.strictMatch.correct).toBe(1);
      expect(report.byRule["answer-cue"].count).toBe(8);
    }
  });
});

it("rejects a model that returns the wrong number of outputs", async () => {
  const item: Gsm8kItem = { id: "x-0", question: "q", answer: "#### 1", gold: 1 };
  const model = { generate: async () => [] as string[] };
  await expect(evaluateGsm8k({ model, items: [item] })).rejects.toThrow(ModelProtocolError);
});
