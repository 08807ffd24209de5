import { describe, expect, it } from "vitest";
import { scriptedModel } from "./fake-model.js";
import { promptFormat } from "./prompt.js";
import { scoreByGeneration, scoreByLoglikelihood, UnscorableItemError } from "./score.js";
import { testItem } from "./test-items.js";

describe("scoreByLoglikelihood", () => {
  it("picks the argmax option, and acc_norm divides by the option's length in characters", async () => {
    // "bank" gets -4 (-1/char), "library" -5 (-0.71/char): acc picks A, acc_norm picks B.
    const model = scriptedModel({ loglikelihood: (r) => (r.continuation === " bank" ? -4 : -5) });
    const [s] = await scoreByLoglikelihood(model, [testItem()], { perturbations: ["typos"] });
    expect(s.scores.original).toEqual({ correct: true, correctNorm: false, prediction: "A" });
    expect(model.calls.loglikelihood.flat().map((r) => r.continuation)).toEqual([
      " bank",
      " library",
      " bank",
      " library",
    ]);
  });

  it("scores perturbed texts separately: a model fooled by typos loses them", async () => {
    const model = scriptedModel({
      loglikelihood: (r) => (r.context.includes("[typos]") === (r.continuation === " library") ? 0 : -10),
    });
    const [s] = await scoreByLoglikelihood(model, [testItem()]);
    expect(s.scores.original?.correct).toBe(true);
    expect(s.scores.typos?.correct).toBe(false);
    expect(s.scores.stress?.correct).toBe(true);
    expect(Object.keys(s.scores)).toHaveLength(10);
  });

  it("supports label continuations and sends identical requests once", async () => {
    const item = testItem({ perturbed: { ...testItem().perturbed, itCleft: testItem().original } });
    const model = scriptedModel({ loglikelihood: (r) => (r.continuation === " A" ? 0 : -1) });
    const [s] = await scoreByLoglikelihood(model, [item], { continuation: "label", batchSize: 3 });
    expect(s.scores.itCleft?.correct).toBe(true);
    const sent = model.calls.loglikelihood.flat();
    expect(sent).toHaveLength(18); // 10 variants × 2 options, the no-op itCleft deduplicated
    expect(model.calls.loglikelihood.every((b) => b.length <= 3)).toBe(true);
  });

  it("marks defective comparisons and refuses items without options", async () => {
    const item = testItem({
      defects: { ...testItem().defects, noOp: ["whCleft"], redHerringPolluted: true },
    });
    const [s] = await scoreByLoglikelihood(scriptedModel({}), [item]);
    expect(s.defective).toMatchObject({ whCleft: true, redHerrings: true, typos: false });
    await expect(
      scoreByLoglikelihood(scriptedModel({}), [testItem({ options: [], answerKind: "number", gold: "3" })]),
    ).rejects.toThrow(UnscorableItemError);
  });
});

describe("scoreByGeneration", () => {
  it("extracts letters, words and numbers from the answers", async () => {
    const model = scriptedModel({
      generate: (r) =>
        r.prompt.includes("[leetspeak]") ? " B: library" : r.prompt.includes("mask") ? " four" : " A",
    });
    const choice = testItem();
    const open = testItem({
      id: "n1",
      original: "a car has <mask> wheels.",
      answerKind: "open",
      options: ["three", "four"].map((w) => ({ label: w, text: w })),
      gold: "four",
    });
    const number = testItem({ id: "g1", answerKind: "number", options: [], gold: "1,200" });
    const numberModel = scriptedModel({ generate: () => "so the answer is 1200" });
    const [c, o] = await scoreByGeneration(model, [choice, open], { perturbations: ["leetspeak", "typos"] });
    expect(c.scores.original).toEqual({ correct: true, prediction: "A" });
    expect(c.scores.leetspeak).toEqual({ correct: false, prediction: "B" });
    expect(o.scores.typos).toEqual({ correct: true, prediction: "four" });
    const [g] = await scoreByGeneration(numberModel, [number], { perturbations: [] });
    expect(g.scores.original).toEqual({ correct: true, prediction: "1200" });
  });

  it("passes the prompt format, token budget and stop strings to the model", async () => {
    const model = scriptedModel({ generate: () => "A" });
    await scoreByGeneration(model, [testItem()], {
      perturbations: [],
      format: promptFormat({ system: "Be brief." }),
      maxNewTokens: 5,
      stop: ["\n"],
    });
    const [req] = model.calls.generate[0];
    expect(req.prompt.startsWith("Be brief.\nQuestion: ")).toBe(true);
    expect(req).toMatchObject({ maxNewTokens: 5, stop: ["\n"] });
  });
});
