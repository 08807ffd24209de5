import { describe, expect, it } from "vitest";
import { extractChoice, extractNumber, extractWord } from "./extract.js";

const OPTIONS = ["bank", "library", "department store", "mall", "new york"].map((text, i) => ({
  label: "ABCDE"[i],
  text,
}));

describe("extractChoice", () => {
  it.each([
    [" B: library", "B"],
    ["C", "C"],
    ["(D) mall", "D"],
    ["I think the answer is E.", "E"],
    ["Answer: A", "A"],
    ["The best option is (C).", "C"],
    ["It would be the department store", "C"],
  ])("%j → %s", (response, label) => {
    expect(extractChoice(response, OPTIONS)).toBe(label);
  });

  it("does not read the article 'a' or a listing of several options as an answer", () => {
    expect(extractChoice("the answer is a place with money", OPTIONS)).toBeUndefined();
    expect(extractChoice("a bank or a mall", OPTIONS)).toBeUndefined();
    expect(extractChoice("", OPTIONS)).toBeUndefined();
  });
});

describe("extractWord", () => {
  it("finds the first candidate word, reading digits as words", () => {
    const words = ["no", "zero", "one", "two", "four"];
    expect(extractWord("Four wheels.", words)).toBe("four");
    expect(extractWord("it has 2 doors", words)).toBe("two");
    expect(extractWord("none", words)).toBeUndefined();
  });
});

describe("extractNumber", () => {
  it("prefers a marked answer, then the last number", () => {
    expect(extractNumber("48 + 24 = 72\n#### 72")).toBe(72);
    expect(extractNumber("The answer is $1,200.")).toBe(1200);
    expect(extractNumber("first 3 then 4.5")).toBe(4.5);
    expect(extractNumber("no idea")).toBeUndefined();
  });
});
