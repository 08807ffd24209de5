import { describe, expect, it } from "vitest";
import { createRng } from "../prng.js";
import { typoInWord, typos } from "./typos.js";

const TEXT = "Ron started his new job as a landscaper today and was fired for insubordination.";
const changedWords = (a: string, b: string) => {
  const x = a.split(" ");
  const y = b.split(" ");
  return x.filter((w, i) => w !== y[i]).length;
};

describe("typos", () => {
  it("changes 3 to 6 words, each by one edit, keeping the word count", () => {
    for (let seed = 0; seed < 50; seed++) {
      const out = typos(TEXT, createRng(seed));
      expect(out.split(" ")).toHaveLength(TEXT.split(" ").length);
      const n = changedWords(TEXT, out);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(6);
    }
  });

  it("is deterministic for a seed", () => {
    expect(typos(TEXT, createRng("s"))).toBe(typos(TEXT, createRng("s")));
    expect(typos(TEXT, createRng("s"))).not.toBe(typos(TEXT, createRng("t")));
  });

  it("makes every operation change the word", () => {
    const rng = createRng(1);
    for (const op of ["swap", "insert", "delete", "replace"] as const) {
      for (const w of ["a", "aa", "book", "x1"]) expect(typoInWord(w, op, rng)).not.toBe(w);
    }
    expect(typoInWord("ab", "swap", rng)).toBe("ba");
    expect(typoInWord("word", "delete", rng)).toHaveLength(3);
    expect(typoInWord("word", "insert", rng)).toHaveLength(5);
  });

  it("edits short texts too and is a no-op only without letters or digits", () => {
    expect(typos("Hi", createRng(0))).not.toBe("Hi");
    expect(typos("... ?!", createRng(0))).toBe("... ?!");
    expect(typos("", createRng(0))).toBe("");
  });
});
