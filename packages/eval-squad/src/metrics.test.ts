import { describe, expect, it } from "vitest";
import { exactMatch, f1Score, maxOverGold } from "./metrics.js";
import { answerTokens, normalizeAnswer } from "./normalize.js";

describe("normalizeAnswer (the official normalize_answer)", () => {
  it("lower-cases, drops ASCII punctuation and articles, collapses whitespace", () => {
    expect(normalizeAnswer("  The  Denver Broncos!  ")).toBe("denver broncos");
    expect(normalizeAnswer("An apple, a day")).toBe("apple day");
    expect(normalizeAnswer("rock-'n'-roll")).toBe("rocknroll");
  });

  it("removes articles only as whole words, after punctuation is gone", () => {
    expect(normalizeAnswer("theatre anthem")).toBe("theatre anthem");
    expect(normalizeAnswer("the-end")).toBe("theend"); // punctuation goes first, so no article is left
    expect(normalizeAnswer("a.b")).toBe("ab");
  });

  it("uses Python's Unicode word boundary and ASCII punctuation", () => {
    expect(normalizeAnswer("éa b")).toBe("éa b"); // "é" is a word character for Python 3's \b
    expect(normalizeAnswer("“Quoted” — the end")).toBe("“quoted” — end");
  });

  it("turns punctuation-only and article-only text into nothing", () => {
    expect(normalizeAnswer("...")).toBe("");
    expect(normalizeAnswer("The")).toBe("");
    expect(answerTokens("?!")).toEqual([]);
  });
});

describe("exactMatch", () => {
  it("compares normalised strings", () => {
    expect(exactMatch("the Beatles.", "Beatles")).toBe(1);
    expect(exactMatch("Beatles band", "Beatles")).toBe(0);
  });

  it("matches an empty prediction with an empty normalised gold, as the official script does", () => {
    expect(exactMatch("", "")).toBe(1);
    expect(exactMatch(".", "the")).toBe(1);
    expect(exactMatch("", "Paris")).toBe(0);
  });
});

describe("f1Score", () => {
  it("is token F1 with multiset overlap", () => {
    // pred [cat, sat], gold [cat]: P = 1/2, R = 1.
    expect(f1Score("a cat sat", "the cat")).toBeCloseTo(2 / 3, 12);
    // pred [cat, cat, cat], gold [cat, cat]: overlap 2, P = 2/3, R = 1 → 0.8.
    expect(f1Score("the cat cat cat", "cat cat")).toBeCloseTo(0.8, 12);
    // pred [new, york, city], gold [york, new]: overlap 2, P = 2/3, R = 1 → 0.8 (order is ignored).
    expect(f1Score("New York City", "york, new")).toBeCloseTo(0.8, 12);
    expect(f1Score("Denver Broncos", "denver broncos")).toBe(1);
  });

  it("scores 0 with no overlap, including empty and punctuation-only answers", () => {
    expect(f1Score("", "")).toBe(0);
    expect(f1Score("...", "the")).toBe(0);
    expect(f1Score("", "Paris")).toBe(0);
    expect(f1Score("Paris", "?")).toBe(0);
    expect(f1Score("London", "Paris")).toBe(0);
  });
});

describe("maxOverGold", () => {
  it("takes the best score against any gold answer", () => {
    const golds = ["Denver Broncos", "The Broncos", "Broncos of Denver"];
    expect(maxOverGold(exactMatch, "broncos", golds)).toBe(1);
    // best F1: vs "Denver Broncos" [denver, broncos] with pred [denver]: P = 1, R = 1/2.
    expect(maxOverGold(f1Score, "Denver", golds)).toBeCloseTo(2 / 3, 12);
    expect(maxOverGold(f1Score, "x", [])).toBe(0);
  });
});
