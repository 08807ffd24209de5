import { logSoftmax, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { ModelLanguageModel } from "./language-model.js";
import { ModelTokenScorer, perplexity, slidingWindows } from "./scorer.js";
import { charModel } from "./test-char-model.js";

/** Reference: one unbatched forward over context + continuation. */
function referenceLogprob(lm: ModelLanguageModel, context: string, continuation: string) {
  const ctx = lm.tokenizer.encode(context);
  const cont = lm.tokenizer.encode(continuation);
  const all = [...ctx, ...cont];
  return noGrad(() => {
    const lp = logSoftmax(lm.model.forward(Tensor.from(Int32Array.from(all), [1, all.length])), -1);
    const V = lp.shape[2];
    const d = lp.dataSync() as Float32Array;
    let sum = 0;
    let greedy = true;
    cont.forEach((t, j) => {
      const row = d.subarray((ctx.length - 1 + j) * V, (ctx.length + j) * V);
      sum += row[t];
      if (row.some((v) => v > row[t])) greedy = false;
    });
    return { logprob: sum, greedy };
  });
}

describe("ModelLanguageModel", () => {
  const lm = new ModelLanguageModel(charModel(), { batchSize: 2 });

  it("loglikelihood, batched by length with padding, matches unbatched forwards", async () => {
    const reqs = [
      { context: "the cat sat on", continuation: " the mat" },
      { context: "a", continuation: "b" },
      { context: "hello there, how", continuation: " are you?" },
    ];
    const got = await lm.loglikelihood(reqs);
    reqs.forEach((r, i) => {
      const want = referenceLogprob(lm, r.context, r.continuation);
      expect(got[i].logprob).toBeCloseTo(want.logprob, 4);
      expect(got[i].greedy).toBe(want.greedy);
    });
  });

  it("generate answers in request order, each within its budget", async () => {
    const out = await lm.generate([
      { prompt: "abc", maxNewTokens: 3 },
      { prompt: "a much longer prompt", maxNewTokens: 5, stop: ["\n"] },
      { prompt: "x", maxNewTokens: 0 },
    ]);
    expect(out.length).toBe(3);
    expect(out[0].length).toBeLessThanOrEqual(3);
    expect(out[1]).not.toContain("\n");
    expect(out[2]).toBe("");
  });
});

describe("token scorer", () => {
  const model = charModel();
  const scorer = new ModelTokenScorer(model);
  const ids = scorer.tokenize("the quick brown fox jumps over the lazy dog.");

  it("strided windows score every token after the first exactly once", () => {
    const w = slidingWindows(ids, 16, 8);
    const scored = w.reduce((s, x) => s + x.ids.length - (x.scoreFrom ?? 1), 0);
    expect(scored).toBe(ids.length - 1);
  });

  it("one window covering the text equals the full forward's NLL", async () => {
    const [one] = await scorer.nll([{ ids }]);
    const ref = noGrad(() => {
      const lp = logSoftmax(model.forward(Tensor.from(Int32Array.from(ids), [1, ids.length])), -1);
      const d = lp.dataSync() as Float32Array;
      const V = lp.shape[2];
      let s = 0;
      for (let t = 1; t < ids.length; t++) s -= d[(t - 1) * V + ids[t]];
      return s;
    });
    expect(one.tokens).toBe(ids.length - 1);
    expect(one.nll).toBeCloseTo(ref, 3);
    const ppl = await perplexity(scorer, ids, { maxLength: 16, stride: 8 });
    expect(ppl.count).toBe(ids.length - 1);
    expect(ppl.perplexity).toBeGreaterThan(1);
  });
});
