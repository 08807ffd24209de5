import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VocabMismatchError } from "@shrinkray/kd-losses";
import { Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { collate } from "./batches.js";
import { CACHE_INDEX } from "./cache-format.js";
import { cacheTeacher } from "./cache-teacher.js";
import { openTeacherCache } from "./cached-teacher.js";
import { distill } from "./distill.js";
import { DistillConfigError, TeacherCacheError } from "./errors.js";
import { hostTopk, modelTeacher } from "./model-teacher.js";
import { markovRows, sharpTeacher, tinyLlama, weights } from "./test-helpers.js";
import { topkTeacher } from "./topk-adapter.js";

const rows = markovRows(10, 9, 5);
const teacher = sharpTeacher();

describe("teacher sources", () => {
  it("host top-k is the k largest log-probabilities, largest first", () => {
    const logits = Tensor.from(Float32Array.from([0.5, 2, -1, 2, 1]), [1, 1, 5]);
    const out = hostTopk(logits, 3) as { topkIds: Tensor; topkLogprobs: Tensor };
    expect(Array.from(out.topkIds.dataSync() as Int32Array)).toEqual([1, 3, 4]);
    const lse = Math.log([0.5, 2, -1, 2, 1].reduce((s, x) => s + Math.exp(x), 0));
    const lp = Array.from(out.topkLogprobs.dataSync() as Float32Array);
    for (const [i, x] of [2 - lse, 2 - lse, 1 - lse].entries()) expect(lp[i]).toBeCloseTo(x, 5);
  });

  it("the cache gives back what the in-process top-k teacher gives (float32, rows in any order)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "distill-cache-"));
    await cacheTeacher({
      teacher: modelTeacher(teacher),
      data: rows,
      dir,
      k: 4,
      logprobDtype: "float32",
      shardRows: 3,
      batchSize: 2,
    });
    const cache = await openTeacherCache(dir, { data: rows });
    const pick = [7, 2, 9];
    const batch = collate(
      pick.map((r) => rows[r]),
      pick,
    );
    const want = (await modelTeacher(teacher, { topk: 4 }).score(batch)) as {
      topkIds: Tensor;
      topkLogprobs: Tensor;
    };
    const got = (await cache.score(batch)) as { topkIds: Tensor; topkLogprobs: Tensor };
    expect(got.topkIds.toArray()).toEqual(want.topkIds.toArray());
    // Batched differently when cached, so GEMMs may round differently in the last bits.
    const w = want.topkLogprobs.dataSync();
    for (const [i, x] of Array.from(got.topkLogprobs.dataSync() as Float32Array).entries())
      expect(x).toBeCloseTo(w[i] as number, 5);
    await expect(cache.score({ ...batch, indices: null })).rejects.toThrow(TeacherCacheError);
    await cache.close();

    await expect(openTeacherCache(dir, { data: rows.slice(1) })).rejects.toThrow(/made from other data/);
    await rm(join(dir, CACHE_INDEX));
    await expect(openTeacherCache(dir)).rejects.toThrow(/interrupted/);
  });

  it("a top-k provider's extra and missing entries: the k most likely kept, gaps padded with unlisted ids", async () => {
    const provider = {
      topkLogprobs: async (inputs: readonly (readonly number[])[]) =>
        inputs.map((x) => ({
          positions: x
            .slice(1)
            .map((_, q) =>
              q === 0 ? { ids: [5, 0, 7], logprobs: [-3, -0.2, -1] } : { ids: [2], logprobs: [-0.01] },
            ),
        })),
    };
    const out = (await topkTeacher(provider, { vocabSize: 10, k: 2 }).score(
      collate(
        [rows[0]].map((r) => ({ ...r, ids: [1, 2, 3], targets: [0, 1, 1] })),
        null,
      ),
    )) as {
      topkIds: Tensor;
      topkLogprobs: Tensor;
    };
    expect(out.topkIds.toArray()).toEqual([
      [
        [0, 7],
        [2, 0],
        [0, 1],
      ],
    ]);
    const lp = out.topkLogprobs.dataSync() as Float32Array;
    expect(lp[0]).toBeCloseTo(-0.2, 6);
    expect([lp[1], lp[3]]).toEqual([-1, -1e4]);
    const noIds = { topkLogprobs: async () => [{ positions: [{ logprobs: [-1] }, { logprobs: [-1] }] }] };
    await expect(
      topkTeacher(noIds, { vocabSize: 10, k: 1 }).score(
        collate([{ ids: [1, 2, 3], targets: [0, 1, 1] }], null),
      ),
    ).rejects.toThrow(/no token ids/);
  });
});

describe("distill options", () => {
  it("refuses a teacher whose vocabulary differs, naming both sizes", async () => {
    const student = tinyLlama({ hidden: 16, layers: 1, seed: 1, vocab: 30 });
    const err = await distill({ teacher, student, data: rows, steps: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(VocabMismatchError);
    expect(err.message).toMatch(/teacher's vocabulary has 24 tokens, the student's 30/);
  });

  it("refuses on-policy training and evaluation data that a cache cannot score", async () => {
    const dir = await mkdtemp(join(tmpdir(), "distill-cache-"));
    await cacheTeacher({ teacher: modelTeacher(teacher), data: rows, dir, k: 2 });
    const cache = await openTeacherCache(dir);
    const student = tinyLlama({ hidden: 16, layers: 1, seed: 1 });
    await expect(
      distill({ teacher: cache, student, data: rows, onPolicy: { lambda: 0.5, maxNewTokens: 2 } }),
    ).rejects.toThrow(DistillConfigError);
    await expect(distill({ teacher: cache, student, data: rows, evalData: rows })).rejects.toThrow(
      /evalTeacher/,
    );
    await cache.close();
  });

  it("accumulating 2 micro-batches of 4 equals one batch of 8", async () => {
    const data = markovRows(16, 9, 8);
    const run = (batchSize: number, gradAccumulation: number) => {
      const student = tinyLlama({ hidden: 16, layers: 1, seed: 3 });
      const opts = {
        teacher,
        student,
        data,
        steps: 3,
        batchSize,
        gradAccumulation,
        shuffle: false,
        schedule: "constant" as const,
      };
      return distill(opts).then((r) => ({ r, w: weights(student) }));
    };
    const a = await run(8, 1);
    const b = await run(4, 2);
    for (const [i, p] of a.r.lossCurve.entries()) expect(b.r.lossCurve[i].loss).toBeCloseTo(p.loss, 5);
    for (const [name, w] of a.w) {
      const v = b.w.get(name)!;
      for (let i = 0; i < w.length; i++) expect(v[i]).toBeCloseTo(w[i], 5);
    }
  });
});
