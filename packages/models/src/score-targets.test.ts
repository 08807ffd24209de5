import { logSoftmax, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { loadPretrained } from "./load.js";
import { fixtureDir, HAVE_FIXTURES } from "./test-fixtures.js";

describe.skipIf(!HAVE_FIXTURES)("CausalLM.scoreTargets", () => {
  for (const name of ["tiny-gpt2", "tiny-llama", "tiny-qwen2"]) {
    it(`${name}: chunked target log-probs equal the full log-softmax, padding and ignored positions included`, async () => {
      const model = await loadPretrained(fixtureDir(name));
      const V = model.vocabSize;
      const B = 2;
      const T = 7;
      const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 37 + 11) % V);
      // Row 1 is left-padded by two tokens; a few positions are unscored.
      const mask = [Array(T).fill(1), [0, 0, ...Array(T - 2).fill(1)]];
      const targets = Int32Array.from({ length: B * T }, (_, i) => (i * 53 + 5) % V);
      for (const i of [0, 3, T, T + 1, 2 * T - 1]) targets[i] = -100;
      const x = Tensor.from(ids, [B, T]);
      const full = noGrad(() =>
        logSoftmax(model.forward(x, { attentionMask: mask }), -1),
      ).dataSync() as Float32Array;
      for (const chunkRows of [1, 3, 1000]) {
        const got = noGrad(() => model.scoreTargets(x, targets, { attentionMask: mask, chunkRows }));
        const lp = got.logprobs.dataSync() as Float32Array;
        const greedy = got.greedy.dataSync() as Uint8Array;
        let at = 0;
        for (let i = 0; i < B * T; i++) {
          if (targets[i] === -100) continue;
          const row = full.subarray(i * V, (i + 1) * V);
          expect(Math.abs(lp[at] - row[targets[i]])).toBeLessThan(1e-5);
          expect(greedy[at]).toBe(row.every((v) => v <= row[targets[i]]) ? 1 : 0);
          at++;
        }
        expect(at).toBe(lp.length);
      }
    });
  }

  it("names a target outside the vocabulary", async () => {
    const model = await loadPretrained(fixtureDir("tiny-llama"));
    const x = Tensor.from(Int32Array.of(1, 2, 3), [1, 3]);
    expect(() => model.scoreTargets(x, Int32Array.of(2, model.vocabSize, -100))).toThrow(
      /target .* position 1/,
    );
  });

  it("marks the argmax target greedy", async () => {
    const model = await loadPretrained(fixtureDir("tiny-qwen2"));
    const x = Tensor.from(Int32Array.of(5, 9, 14, 3), [1, 4]);
    const logits = noGrad(() => model.forward(x)).dataSync() as Float32Array;
    const V = model.vocabSize;
    const argmax = (r: number) => {
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[r * V + v] > logits[r * V + best]) best = v;
      return best;
    };
    const targets = Int32Array.of(argmax(0), (argmax(1) + 1) % V, argmax(2), -100);
    const got = noGrad(() => model.scoreTargets(x, targets));
    expect(Array.from(got.greedy.dataSync() as Uint8Array)).toEqual([1, 0, 1]);
  });
});
