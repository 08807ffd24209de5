import { describe, expect, it } from "vitest";
import { lastNumberWords, parseNumberWords } from "./number-words.js";

describe("parseNumberWords", () => {
  it.each([
    ["twelve", 12],
    ["twenty-five", 25],
    ["twenty five", 25],
    ["two hundred", 200],
    ["two hundred and five", 205],
    ["a hundred", 100],
    ["a dozen", 12],
    ["three thousand four hundred", 3400],
    ["zero", 0],
  ])("reads %j", (text, expected) => {
    expect(parseNumberWords(text, 0)?.value).toBe(expected);
  });

  it("returns null where no number word starts", () => {
    expect(parseNumberWords("apples", 0)).toBeNull();
    expect(parseNumberWords("a car", 0)).toBeNull();
  });

  it("stops before a trailing 'and' that glues nothing", () => {
    const parsed = parseNumberWords("two and a half apples", 0);
    expect(parsed?.value).toBe(2);
    expect(parsed?.end).toBe(3);
  });
});

describe("lastNumberWords", () => {
  it("skips the pronoun-like lone 'one'", () => {
    const text = "She has seven stamps and gives one away";
    expect(lastNumberWords(text, 0, text.length)?.value).toBe(7);
  });

  it("does not read words inside other words", () => {
    const text = "often, someone";
    expect(lastNumberWords(text, 0, text.length)).toBeNull();
  });
});
