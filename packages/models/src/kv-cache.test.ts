import { noGrad, ops, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { loadPretrained } from "./load.js";
import { fixtureDir, HAVE_FIXTURES } from "./test-fixtures.js";

function maxAbs(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync() as Float32Array;
  const y = b.dataSync() as Float32Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

const ids = (rows: number[][]) => Tensor.from(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);

describe.skipIf(!HAVE_FIXTURES)("KV cache and padding", () => {
  for (const name of ["tiny-llama", "tiny-gpt2", "tiny-qwen2"]) {
    it(`${name}: prefill + one token at a time equals the full forward`, async () => {
      const model = await loadPretrained(fixtureDir(name));
      const rows = [
        [5, 17, 3, 9, 44, 12, 8, 30, 2, 7, 19, 61],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      ];
      noGrad(() => {
        const full = model.forward(ids(rows));
        const cache = model.newCache();
        const parts = [model.forward(ids(rows.map((r) => r.slice(0, 7))), { cache })];
        for (let t = 7; t < 12; t++)
          parts.push(model.forward(ids(rows.map((r) => r.slice(t, t + 1))), { cache }));
        expect(cache.length).toBe(12);
        expect(maxAbs(ops.cat(parts, 1), full)).toBeLessThan(1e-5);
      });
    });

    it(`${name}: a left-padded row gives the logits it gives alone`, async () => {
      const model = await loadPretrained(fixtureDir(name));
      const short = [4, 8, 15, 16, 23];
      const long = [42, 7, 3, 9, 11, 13, 17, 19];
      const pad = long.length - short.length;
      noGrad(() => {
        const mask = [[...Array(pad).fill(0), ...short.map(() => 1)], long.map(() => 1)];
        const batch = model.forward(ids([[...Array(pad).fill(0), ...short], long]), { attentionMask: mask });
        const alone = model.forward(ids([short]));
        expect(maxAbs(batch.slice(0, 0, 1).slice(1, pad), alone)).toBeLessThan(1e-5);
        expect(maxAbs(batch.slice(0, 1, 2), model.forward(ids([long])))).toBeLessThan(1e-5);

        // And incrementally: the cache remembers the padding.
        const cache = model.newCache();
        model.forward(ids([[...Array(pad).fill(0), ...short], long]), { attentionMask: mask, cache });
        const step = model.forward(ids([[31], [31]]), { cache });
        const ref = model.forward(ids([[...short, 31]])).slice(1, short.length);
        expect(maxAbs(step.slice(0, 0, 1), ref)).toBeLessThan(1e-5);
      });
    });
  }

  it("logitsToKeep returns the last positions only", async () => {
    const model = await loadPretrained(fixtureDir("tiny-qwen2"));
    noGrad(() => {
      const x = ids([[1, 2, 3, 4, 5]]);
      expect(maxAbs(model.forward(x, { logitsToKeep: 1 }), model.forward(x).slice(1, 4))).toBe(0);
    });
  });
});
