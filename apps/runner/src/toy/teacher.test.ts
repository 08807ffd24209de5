import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPretrained } from "@shrinkray/models";
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { heldOut, scoreChoices, scoreWordProblems } from "./evaluate.js";
import { haveToyTeacher, TOY_SEED, TOY_TEACHER_DIR } from "./paths.js";
import { createTeacher, DEFAULT_SHAPE, toyTokenizer } from "./teacher.js";
import { trainBpe } from "./tokenizer.js";

describe("a toy teacher directory", () => {
  it("saves config, weights and tokenizer files that loadPretrained reads back", async () => {
    const tok = toyTokenizer(
      trainBpe(["Mia has 3 apples. How many apples does Mia have?"], { merges: 10 }),
      64,
    );
    const shape = { ...DEFAULT_SHAPE, hiddenSize: 32, intermediateSize: 64, layers: 2, maxPositions: 64 };
    const model = createTeacher(shape, tok, 0);
    const dir = await mkdtemp(join(tmpdir(), "toy-teacher-"));
    await model.save(dir);
    expect((await readdir(dir)).sort()).toEqual([
      "config.json",
      "generation_config.json",
      "model.safetensors",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const back = await loadPretrained(dir);
    expect(back.modelType).toBe("llama");
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(back.tokenizer?.encode("Mia has 3")).toEqual(tok.tokenizer.encode("Mia has 3"));
    expect(back.generationConfig?.eosTokenIds).toEqual([tok.tokenizer.specialTokenId("eos")]);
    const encoded = tok.tokenizer.encode("Mia has 3 apples.");
    const ids = Tensor.from(Int32Array.from(encoded), [1, encoded.length]);
    const a = noGrad(() => model.eval().forward(ids)).dataSync();
    const b = noGrad(() => back.forward(ids)).dataSync();
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });
});

describe.skipIf(!haveToyTeacher())("the committed toy teacher", () => {
  it("solves held-out word problems, and scores multiple choice by log-likelihood", async () => {
    const teacher = await loadPretrained(TOY_TEACHER_DIR);
    expect(teacher.tokenizer).not.toBeNull();
    const sets = heldOut(TOY_SEED, { wordProblems: 50, choices: 40 });
    const gsm = await scoreWordProblems(teacher, sets.wordProblems);
    expect(gsm.accuracy).toBeGreaterThanOrEqual(0.7);
    // The committed teacher is near chance on multiple choice (28.5% of 200 held-out items);
    // raising it needs a retrained recipe, so this checks the scoring path end to end: every
    // item gets one of its own option letters, and the accuracy is the share of gold picks.
    const mc = await scoreChoices(teacher, sets.choices);
    expect(mc.scored).toHaveLength(40);
    const picks = mc.scored.map((s) => s.scores.original?.prediction);
    for (const [i, p] of picks.entries()) expect(sets.choices[i].options.map((o) => o.label)).toContain(p);
    const gold = picks.filter((p, i) => p === sets.choices[i].gold).length;
    expect(mc.accuracy).toBeCloseTo(gold / 40, 10);
  }, 60_000);
});
