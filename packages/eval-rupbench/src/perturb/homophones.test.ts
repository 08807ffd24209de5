import { describe, expect, it } from "vitest";
import { createRng } from "../prng.js";
import { homophoneMap } from "./homophone-list.js";
import { homophones } from "./homophones.js";

describe("homophones", () => {
  it("swaps listed words for a homophone, keeping case and punctuation", () => {
    const out = homophones("New, I knew.", createRng(0), { rate: 1 });
    expect(out).toBe("Knew, I new.");
  });

  it("replaces at least one listed word even at a low rate", () => {
    for (let seed = 0; seed < 20; seed++) {
      expect(homophones("I want to buy a new car.", createRng(seed), { rate: 0 })).not.toBe(
        "I want to buy a new car.",
      );
    }
  });

  it("is a no-op only when no word is in the list", () => {
    expect(homophones("Gravity pulls objects.", createRng(0))).toBe("Gravity pulls objects.");
  });

  it("takes a custom list, and the bundled map is symmetric", () => {
    expect(homophones("colour me", createRng(0), { groups: [["colour", "culler"]] })).toBe("culler me");
    const map = homophoneMap();
    for (const [w, alts] of map) for (const a of alts) expect(map.get(a)).toContain(w);
  });
});
