import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { collate } from "./batches.js";
import { cacheTeacher } from "./cache-teacher.js";
import { openTeacherCache } from "./cached-teacher.js";
import { distill } from "./distill.js";
import { encodeExample } from "./encode.js";
import { alignedLogits, modelTeacher } from "./model-teacher.js";
import { alignOnResponse, promptedSequences } from "./prompted.js";
import { teacherPositions } from "./sequence.js";
import { sharpTeacher, tinyLlama, trainCe } from "./test-helpers.js";
import { topkTeacher } from "./topk-adapter.js";

// A character-level toy: 16 questions a..p, three prefixes (A, BC, DEA) that all switch the
// answer from g(q) to f(q), a separator and an end token. 24 symbols in all.
const ALPHABET = "abcdefghijklmnopABCDE:$";
const EOS = ALPHABET.indexOf("$");
const tok = { encode: (s: string) => [...s].map((c) => ALPHABET.indexOf(c)) };
const Q = "abcdefghijklmnop";
const f = (i: number) => Q[(i * 5 + 3) % 16];
const g = (i: number) => Q[(i * 7 + 1) % 16];
const PREFIXES = ["A", "BC", "DEA"];

describe("prompted-teacher alignment", () => {
  it("maps each student token to the same token of the teacher's input", () => {
    const s = alignOnResponse([10, 11], [3, 4, 10, 11], [20, 21, 22]);
    expect(s.ids).toEqual([10, 11, 20, 21, 22]);
    expect(s.targets).toEqual([0, 0, 1, 1, 1]);
    expect(s.teacherIds).toEqual([3, 4, 10, 11, 20, 21, 22]);
    expect(s.teacherIndex).toEqual([-1, -1, 4, 5, 6]);
    // Student position 1 predicts response token 0; the teacher predicts it from position 3.
    expect([...teacherPositions(s)]).toEqual([-1, 3, 4, 5, -1]);
    const rows = promptedSequences({ prompt: "c:", response: "f", teacherPrefixes: PREFIXES }, tok, {
      eos: EOS,
    });
    expect(rows.map((r) => r.teacherIds!.length)).toEqual([5, 6, 7]);
    for (const r of rows) expect(r.ids).toEqual(tok.encode("c:f").concat(EOS));
  });

  it("a batch of prompted rows gets the logits the teacher gives each full input alone", () => {
    const teacher = sharpTeacher();
    const rows = [
      ...promptedSequences({ prompt: "ab:", response: "cd", teacherPrefixes: PREFIXES }, tok, { eos: EOS }),
      encodeExample({ prompt: "k:", response: "mno" }, tok),
    ];
    const batch = collate(rows, null);
    const got = alignedLogits(teacher, batch);
    const [, T, Vv] = got.shape;
    const all = got.dataSync() as Float32Array;
    rows.forEach((r, b) => {
      const ids = r.teacherIds ?? r.ids;
      const alone = noGrad(() => teacher.forward(Tensor.from(Int32Array.from(ids), [1, ids.length])));
      const ref = alone.dataSync() as Float32Array;
      const pos = teacherPositions(r);
      for (let p = 0; p < T; p++) {
        if (!r.targets[p + 1]) continue;
        const row = all.subarray((b * T + p) * Vv, (b * T + p + 1) * Vv);
        expect(Array.from(row)).toEqual(
          Array.from(ref.subarray(pos[p] * Vv, (pos[p] + 1) * Vv)).map((x) => expect.closeTo(x, 5)),
        );
      }
    });
  });

  it("a top-k provider is asked with the teacher's tokens and read back at the aligned positions", async () => {
    const rows = promptedSequences({ prompt: "ab:", response: "cd", teacherPrefixes: ["BC"] }, tok);
    const asked: number[][] = [];
    const provider = {
      async topkLogprobs(inputs: readonly (readonly number[])[]) {
        asked.push(...inputs.map((x) => [...x]));
        // Position q's "top-1" is token q (so the position read back is visible), then q + 1.
        return inputs.map((x) => ({
          positions: x.slice(1).map((_, q) => ({ ids: [q, q + 1], logprobs: [-0.1, -2.5] })),
        }));
      },
    };
    const out = await topkTeacher(provider, { vocabSize: 24, k: 2 }).score(collate(rows, null));
    expect(asked).toEqual([tok.encode("BCab:cd")]);
    const ids = (out as { topkIds: Tensor }).topkIds.dataSync();
    // Student position 2 (":") predicts "c"; in the teacher that is position 4.
    expect([ids[2 * 2], ids[3 * 2]]).toEqual([4, 5]);
  });
});

describe("prompted-teacher distillation", () => {
  it("the student learns the prompted behaviour better than from the unprompted teacher", async () => {
    // Teacher: g(q) after a bare question, f(q) after any of the prefixes.
    const teach = Q.split("").flatMap((q, i) => [
      encodeExample({ prompt: `${q}:`, response: g(i) }, tok, { eos: EOS }),
      ...PREFIXES.map((p) => encodeExample({ prompt: `${p}${q}:`, response: f(i) }, tok, { eos: EOS })),
    ]);
    const teacher = tinyLlama({ hidden: 32, layers: 2, seed: 5 });
    trainCe(teacher, teach, 150);

    // Distillation data: the question and the prompted teacher's answer.
    const items = Q.split("").map((q, i) => ({ prompt: `${q}:`, response: f(i), teacherPrefixes: PREFIXES }));
    const prompted = items.flatMap((it) => promptedSequences(it, tok, { eos: EOS }));
    const plain = items.map((it) => encodeExample(it, tok, { eos: EOS }));
    const run = async (data: typeof plain, dir?: string) => {
      const student = tinyLlama({ hidden: 16, layers: 1, seed: 9 });
      // Through the cache, as a big prompted teacher would be run once.
      if (dir) await cacheTeacher({ teacher: modelTeacher(teacher), data, dir, k: 8 });
      const source = dir ? await openTeacherCache(dir, { data }) : modelTeacher(teacher);
      await distill({
        teacher: source,
        student,
        data,
        steps: 80,
        batchSize: 8,
        optimizer: { lr: 1e-2 },
        schedule: "constant",
      });
      if ("close" in source) await (source as { close(): Promise<void> }).close();
      // Mean log-probability of the prompted answer f(q) given only the question.
      const b = collate(plain, null);
      const lp = noGrad(() => student.forward(b.inputIds).logSoftmax(-1)).dataSync() as Float32Array;
      const [, T] = b.inputIds.shape;
      return plain.reduce((s, r, i) => s + lp[(i * T + 1) * 24 + r.ids[2]], 0) / plain.length;
    };
    const withPrefix = await run(prompted);
    const cached = await run(prompted, await mkdtemp(join(tmpdir(), "distill-prompted-")));
    const without = await run(plain);
    console.log(
      `log p(f(q) | q): prompted teacher ${withPrefix.toFixed(3)} (via cache ${cached.toFixed(3)}), unprompted ${without.toFixed(3)}`,
    );
    expect(withPrefix).toBeGreaterThan(Math.log(0.5));
    expect(cached).toBeGreaterThan(Math.log(0.5));
    expect(without).toBeLessThan(withPrefix - 1);
  });
});
