import { Tokenizer } from "@shrinkray/models";
import { describe, expect, it } from "vitest";
import { gsmExample } from "./format.js";
import { wordProblems } from "./tasks/arithmetic.js";
import { choiceItems } from "./tasks/choice.js";
import { toyTokenizer } from "./teacher.js";
import { SPECIAL_TOKENS, trainBpe } from "./tokenizer.js";

const problems = wordProblems({ split: "train", seed: 5, count: 300 });
const corpus = problems.map((p) => `${p.question}\n${p.answer}`);
const merges = trainBpe(corpus, { merges: 150 });
const { tokenizer, json, config, vocabSize } = toyTokenizer(merges, 256);

describe("the toy tokenizer", () => {
  it("learns the same merges from the same corpus, none of them with a digit", () => {
    expect(trainBpe(corpus, { merges: 150 })).toEqual(merges);
    expect(merges.length).toBe(150);
    expect(merges.some(([a, b]) => /\d/.test(a + b))).toBe(false);
    expect(vocabSize).toBe(3 + 256 + 150);
  });

  it("round-trips text, including leetspeak and typos, and starts every encoding with <|bos|>", () => {
    const perturbed = choiceItems({ split: "train", seed: 5, count: 8 }).flatMap((i) =>
      Object.values(i.perturbed),
    );
    for (const text of [...corpus.slice(0, 50), ...perturbed, "naïve café 🙂\n\n  x"]) {
      const ids = tokenizer.encode(text);
      expect(ids[0]).toBe(tokenizer.tokenToId(SPECIAL_TOKENS.bos));
      expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe(text);
      expect(tokenizer.decode(ids)).toBe(SPECIAL_TOKENS.bos + text);
    }
  });

  it("gives every digit its own token and compresses the task's words", () => {
    const ids = tokenizer.encode("Mia has 123 apples.", { addSpecialTokens: false });
    const tokens = ids.map((i) => tokenizer.idToToken(i));
    expect(tokens).toContain("1");
    expect(tokens).toContain("2");
    expect(tokens).toContain("3");
    const text = gsmExample(problems[0]);
    expect(tokenizer.encode(text.prompt + text.completion).length).toBeLessThan(
      (text.prompt + text.completion).length / 2,
    );
  });

  it("knows its special tokens and renders the chat template as the training layout", () => {
    expect(tokenizer.specialTokenId("pad")).toBe(0);
    expect(tokenizer.specialTokenId("bos")).toBe(1);
    expect(tokenizer.specialTokenId("eos")).toBe(2);
    const prompt = tokenizer.applyChatTemplate([
      { role: "user", content: "Q1" },
      { role: "assistant", content: "A1" },
      { role: "user", content: "Q2" },
    ]);
    expect(prompt).toBe(`Question: Q1\nAnswer: A1${SPECIAL_TOKENS.eos}\n\nQuestion: Q2\nAnswer:`);
  });

  it("is a tokenizer.json that @huggingface/tokenizers loads from its own JSON text", () => {
    const again = new Tokenizer(JSON.parse(JSON.stringify(json)), JSON.parse(JSON.stringify(config)));
    const text = corpus[0];
    expect(again.encode(text)).toEqual(tokenizer.encode(text));
  });
});
