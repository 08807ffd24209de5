import { describe, expect, it } from "vitest";
import { createRng } from "../prng.js";
import { CHECKLIST_HANDLES, CHECKLIST_URLS, checklist } from "./checklist.js";
import { compound, QUANTIFIERS, SUBORDINATORS } from "./compound.js";
import { NoRedHerringsError, redHerring } from "./red-herring.js";
import { stress, TAUTOLOGIES } from "./stress.js";
import { insertAtBoundaries } from "./words.js";

const TEXT = "Tracy didn't go home that evening and resisted Riley's attacks.";
const removeAll = (text: string, phrases: readonly string[]) =>
  phrases.reduce((t, p) => t.split(` ${p}`).join("").split(`${p} `).join(""), text);

describe("insertAtBoundaries", () => {
  it("inserts before words and at the end without touching other whitespace", () => {
    expect(insertAtBoundaries("a  b\n", [{ boundary: 1, phrase: "X" }])).toBe("a  X b\n");
    expect(insertAtBoundaries("a  b\n", [{ boundary: 2, phrase: "Y" }])).toBe("a  b Y\n");
    expect(
      insertAtBoundaries("a", [
        { boundary: 0, phrase: "P" },
        { boundary: 0, phrase: "Q" },
      ]),
    ).toBe("P Q a");
  });
});

describe("checklist", () => {
  it("inserts 2-6 URLs or handles and nothing else", () => {
    for (let seed = 0; seed < 30; seed++) {
      const out = checklist(TEXT, createRng(seed));
      const added = out.split(" ").length - TEXT.split(" ").length;
      expect(added).toBeGreaterThanOrEqual(2);
      expect(added).toBeLessThanOrEqual(6);
      expect(removeAll(out, [...CHECKLIST_URLS, ...CHECKLIST_HANDLES])).toBe(TEXT);
    }
  });

  it("is deterministic and a no-op only for blank text", () => {
    expect(checklist(TEXT, createRng(1))).toBe(checklist(TEXT, createRng(1)));
    expect(checklist("   ", createRng(1))).toBe("   ");
    expect(checklist("Hi", createRng(1))).not.toBe("Hi");
  });
});

describe("stress", () => {
  it("appends 3-5 tautologies by default", () => {
    for (let seed = 0; seed < 20; seed++) {
      const out = stress(TEXT, createRng(seed));
      expect(out.startsWith(`${TEXT} `)).toBe(true);
      const tail = out.slice(TEXT.length + 1);
      const n = TAUTOLOGIES.reduce((s, t) => s + tail.split(t).length - 1, 0);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(5);
    }
  });

  it("can scatter them, leaving the original words in order", () => {
    const out = stress(TEXT, createRng(4), { position: "anywhere" });
    expect(removeAll(out, TAUTOLOGIES)).toBe(TEXT);
    expect(stress("", createRng(4))).toBe("");
  });
});

describe("compound", () => {
  it("adds a subordinator in front, a quantifier and a comma between words", () => {
    const out = compound(TEXT, createRng(2));
    expect(SUBORDINATORS.some((s) => out.startsWith(`${s} `))).toBe(true);
    expect(QUANTIFIERS.some((q) => out.includes(` ${q} `))).toBe(true);
    expect(out).toContain(" , ");
    expect(out.endsWith("attacks.")).toBe(true);
    expect(compound("", createRng(2))).toBe("");
    expect(compound("Why", createRng(2))).not.toBe("Why");
  });
});

describe("redHerring", () => {
  const herrings = ["Riley had a red bicycle.", "It was the first day of spring."];
  it("puts one supplied herring before or after the text", () => {
    const before = redHerring(TEXT, createRng(0), { herrings, position: "before" });
    expect(herrings.some((h) => before === `${h} ${TEXT}`)).toBe(true);
    const after = redHerring(TEXT, createRng(0), { herrings, position: "after" });
    expect(herrings.some((h) => after === `${TEXT} ${h}`)).toBe(true);
  });

  it("refuses an empty list rather than silently doing nothing", () => {
    expect(() => redHerring(TEXT, createRng(0), { herrings: ["  "] })).toThrow(NoRedHerringsError);
  });
});
