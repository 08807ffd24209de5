import { describe, expect, it } from "vitest";
import { ScorerProtocolError } from "./errors.js";
import { UnigramScorer } from "./fake-scorer.fixture.js";
import { evaluatePerplexity } from "./perplexity.js";
import type { Progress } from "./progress.js";

// p(a) = 1/2, p(b) = p(c) = 1/4, so −ln p is ln 2 for "a" and 2 ln 2 for "b" and "c".
const LN2 = Math.log(2);

describe("evaluatePerplexity (GPTQ protocol)", () => {
  it("matches a hand computation", async () => {
    // "aabcab", seqLen 3: windows "aab" and "cab", scoring a,b and a,b → NLL 6 ln 2 over 4 tokens.
    const scorer = new UnigramScorer();
    const r = await evaluatePerplexity({ scorer, text: "aabcab", seqLen: 3 });
    expect(scorer.seen).toEqual([
      { ids: [0, 0, 1], scoreFrom: 1 },
      { ids: [2, 0, 1], scoreFrom: 1 },
    ]);
    expect(r.totalNll).toBeCloseTo(6 * LN2, 12);
    expect(r.tokens).toBe(4);
    expect(r.ppl).toBeCloseTo(2 ** 1.5, 12);
    expect(r).toMatchObject({
      protocol: "gptq",
      windows: 2,
      seqLen: 3,
      stride: 3,
      inputTokens: 6,
      droppedTokens: 0,
    });
  });

  it("drops the incomplete tail", async () => {
    // seqLen 4: one window "aabc" scoring a, b, c → 5 ln 2 over 3 tokens; "ab" dropped.
    const r = await evaluatePerplexity({ scorer: new UnigramScorer(), text: "aabcab", seqLen: 4 });
    expect(r.ppl).toBeCloseTo(2 ** (5 / 3), 12);
    expect(r).toMatchObject({ windows: 1, tokens: 3, droppedTokens: 2 });
  });

  it("cuts the stream to maxTokens first, as GPTQ's C4 does", async () => {
    const scorer = new UnigramScorer();
    const r = await evaluatePerplexity({ scorer, text: "aabcabcc", seqLen: 2, maxTokens: 4 });
    expect(scorer.seen.map((w) => w.ids)).toEqual([
      [0, 0],
      [1, 2],
    ]);
    expect(r).toMatchObject({ inputTokens: 4, windows: 2, tokens: 2 });
    expect(r.totalNll).toBeCloseTo(LN2 + 2 * LN2, 12);
  });

  it("batches windows and reports progress per batch", async () => {
    const scorer = new UnigramScorer();
    const progress: Progress[] = [];
    await evaluatePerplexity({
      scorer,
      ids: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0],
      seqLen: 2,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(scorer.calls).toEqual([2, 2, 1]);
    expect(progress.map((p) => p.done)).toEqual([2, 4, 5]);
    expect(progress.at(-1)?.total).toBe(5);
  });
});

describe("evaluatePerplexity (sliding windows)", () => {
  it("scores each token once with the extra context, matching a hand computation", async () => {
    // "aabcabc", seqLen 4, stride 2: [aabc] scores a,b,c; [bcab] scores a,b; [abc] scores c.
    const scorer = new UnigramScorer();
    const r = await evaluatePerplexity({ scorer, text: "aabcabc", seqLen: 4, stride: 2 });
    expect(scorer.seen).toEqual([
      { ids: [0, 0, 1, 2], scoreFrom: 1 },
      { ids: [1, 2, 0, 1], scoreFrom: 2 },
      { ids: [0, 1, 2], scoreFrom: 2 },
    ]);
    // a: 2 × ln 2, b: 2 × 2 ln 2, c: 2 × 2 ln 2 → 10 ln 2 over 6 tokens.
    expect(r.totalNll).toBeCloseTo(10 * LN2, 12);
    expect(r.ppl).toBeCloseTo(2 ** (10 / 6), 12);
    expect(r).toMatchObject({ protocol: "sliding", windows: 3, tokens: 6, stride: 2, droppedTokens: 0 });
  });
});

describe("scorer protocol", () => {
  it("rejects a wrong result count or token count", async () => {
    const short = { tokenize: () => [0, 1, 2, 0], nll: async () => [] };
    await expect(evaluatePerplexity({ scorer: short, text: "x", seqLen: 2 })).rejects.toThrow(
      ScorerProtocolError,
    );
    const miscount = { tokenize: () => [0, 1, 2, 0], nll: async () => [{ nll: 1, tokens: 2 }] };
    await expect(evaluatePerplexity({ scorer: miscount, text: "x", seqLen: 2 })).rejects.toThrow(
      /expected a finite nll over 1 tokens/,
    );
  });

  it("needs text or ids", async () => {
    await expect(evaluatePerplexity({ scorer: new UnigramScorer(), seqLen: 2 })).rejects.toThrow(/text/);
  });
});
