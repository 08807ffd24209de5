import { describe, expect, it } from "vitest";
import { createRng } from "../prng.js";
import { LEET_TABLE, leetspeak, leetWord } from "./leetspeak.js";

describe("leetspeak", () => {
  it("rewrites whole words with leet characters and keeps the rest", () => {
    const text = "Islam later emerged as the majority religion during the centuries of Ottoman rule.";
    const out = leetspeak(text, createRng(3));
    expect(out).not.toBe(text);
    const changed = text.split(" ").filter((w, i) => out.split(" ")[i] !== w);
    expect(changed.length).toBe(Math.round(13 * 0.15));
  });

  it("maps every letter to something else, so a leeted word always changes", () => {
    for (const [letter, subs] of Object.entries(LEET_TABLE)) expect(subs).not.toContain(letter);
    expect(leetWord("Hello", createRng(0))).not.toBe("Hello");
  });

  it("leets at least one word, even in a one-word text; no-op only without letters", () => {
    expect(leetspeak("cat", createRng(0))).not.toBe("cat");
    expect(leetspeak("42 + 7 = 49", createRng(0))).toBe("42 + 7 = 49");
  });

  it("is deterministic for a seed", () => {
    expect(leetspeak("the quick brown fox", createRng(9))).toBe(
      leetspeak("the quick brown fox", createRng(9)),
    );
  });
});
