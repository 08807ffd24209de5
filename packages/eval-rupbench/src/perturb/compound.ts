import type { Rng } from "../prng.js";
import { insertAtBoundaries, wordSpans } from "./words.js";

export const SUBORDINATORS = [
  "Even though",
  "Whereas",
  "Since",
  "Provided that",
  "When",
  "As soon as",
  "Although",
  "While",
  "Because",
  "Once",
] as const;

export const QUANTIFIERS = [
  "a couple of",
  "an abundance of",
  "a minority of",
  "a handful of",
  "many",
  "several",
  "a few",
  "a number of",
] as const;

/**
 * Compound variations, as in the released data: a subordinating conjunction in front, a
 * quantifier phrase and a stray comma between words. Grammar suffers on purpose; the question's
 * content does not change. A no-op only for blank text.
 */
export function compound(text: string, rng: Rng): string {
  if (text.trim() === "") return text;
  const n = wordSpans(text).length;
  // Inner boundaries only (between two words), so nothing dangles after the final punctuation.
  const inner = () => (n < 2 ? n : 1 + rng.int(n - 1));
  return insertAtBoundaries(text, [
    { boundary: 0, phrase: rng.pick(SUBORDINATORS) },
    { boundary: inner(), phrase: rng.pick(QUANTIFIERS) },
    { boundary: inner(), phrase: "," },
  ]);
}
