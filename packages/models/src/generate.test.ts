import { Generator, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { generateText, generateTokens } from "./generate.js";
import { loadPretrained } from "./load.js";
import { argmax, nextToken } from "./sampling.js";
import { charModel } from "./test-char-model.js";
import { fixtureDir, HAVE_FIXTURES } from "./test-fixtures.js";

const prompts = [
  [5, 17, 3],
  [1, 2, 3, 4, 5, 6, 7],
  [42, 9, 13, 77, 8],
];

describe.skipIf(!HAVE_FIXTURES)("generation on tiny-llama", async () => {
  const model = HAVE_FIXTURES ? await loadPretrained(fixtureDir("tiny-llama")) : null!;

  it("greedy with the cache equals argmax of repeated full forwards", async () => {
    const res = await generateTokens(model, [prompts[1]], { maxNewTokens: 6, eosTokenIds: [] });
    const seq = [...prompts[1]];
    noGrad(() => {
      for (let i = 0; i < 6; i++) {
        const logits = model.forward(Tensor.from(Int32Array.from(seq), [1, seq.length]));
        seq.push(argmax(logits.slice(1, seq.length - 1).dataSync() as Float32Array));
      }
    });
    expect(res.tokens[0]).toEqual(seq.slice(prompts[1].length));
    expect(res.finishReasons).toEqual(["length"]);
  });

  it("a left-padded batch gives each row what it gives alone", async () => {
    const batch = await generateTokens(model, prompts, { maxNewTokens: 5, eosTokenIds: [] });
    for (let i = 0; i < prompts.length; i++) {
      const alone = await generateTokens(model, [prompts[i]], { maxNewTokens: 5, eosTokenIds: [] });
      expect(batch.tokens[i]).toEqual(alone.tokens[0]);
    }
  });

  it("sampling is reproducible from a seed, and top-k 1 is greedy", async () => {
    const opts = { maxNewTokens: 8, eosTokenIds: [], doSample: true, temperature: 1.5, topP: 0.95 };
    const a = await generateTokens(model, prompts, { ...opts, seed: 7 });
    const b = await generateTokens(model, prompts, { ...opts, seed: 7 });
    const c = await generateTokens(model, prompts, { ...opts, seed: 8 });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens).not.toEqual(c.tokens);
    const greedy = await generateTokens(model, prompts, { maxNewTokens: 8, eosTokenIds: [] });
    const top1 = await generateTokens(model, prompts, { ...opts, topK: 1, seed: 3 });
    expect(top1.tokens).toEqual(greedy.tokens);
  });

  it("stops a row at EOS and at its own token budget", async () => {
    const free = await generateTokens(model, prompts, { maxNewTokens: 4, eosTokenIds: [] });
    const eos = free.tokens[0][2];
    const res = await generateTokens(model, prompts, { maxNewTokens: [4, 2, 4], eosTokenIds: [eos] });
    expect(res.tokens[0]).toEqual(free.tokens[0].slice(0, 2));
    expect(res.finishReasons[0]).toBe("eos");
    expect(res.tokens[1].length).toBeLessThanOrEqual(2);
  });
});

describe("sampling", () => {
  it("top-p keeps the smallest set reaching p, top-k the k largest", () => {
    const row = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
    const draw = (opts: object, n = 2000) => {
      const g = new Generator(1);
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) seen.add(nextToken(row, { doSample: true, ...opts }, g));
      return [...seen].sort();
    };
    expect(draw({ topP: 0.75 })).toEqual([0, 1]);
    expect(draw({ topP: 0.81 })).toEqual([0, 1, 2]);
    expect(draw({ topK: 3 })).toEqual([0, 1, 2]);
    expect(draw({})).toEqual([0, 1, 2, 3]);
    expect(nextToken(row, { doSample: true, temperature: 0 }, new Generator(0))).toBe(0);
  });
});

describe("text generation with stop strings", () => {
  it("cuts each row's text before its first stop string", async () => {
    const model = charModel();
    const free = await generateText(model, ["hello", "ab"], { maxNewTokens: 12, eosTokenIds: [] });
    // Stop on a piece of what each row writes anyway, so the test does not depend on the weights.
    const stop0 = free[0].slice(3, 5);
    const res = await generateText(model, ["hello", "ab"], {
      maxNewTokens: 12,
      eosTokenIds: [],
      stop: [[stop0], []],
    });
    expect(res[0]).toBe(free[0].slice(0, free[0].indexOf(stop0)));
    expect(res[1]).toBe(free[1]);
  });
});
