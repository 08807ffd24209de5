import type { Rng } from "../prng.js";
import { insertAtBoundaries, wordSpans } from "./words.js";

/** Tautologies joined with "and"/"if", as the stress-test perturbation of the released data. */
export const TAUTOLOGIES = [
  "and true is true",
  "and false is not true",
  "and the sky is blue",
  "and two plus two is four",
  "and fire is hot",
  "if the earth orbits the sun",
  "if one is equal to one",
  "if gravity pulls objects down",
  "if water is wet",
] as const;

export interface StressOptions {
  minPhrases?: number;
  maxPhrases?: number;
  /** `end` appends them (most of the data); `anywhere` scatters them between words. */
  position?: "end" | "anywhere";
  tautologies?: readonly string[];
}

/** Stress test: 3-5 tautologies that change nothing logically. A no-op only for blank text. */
export function stress(text: string, rng: Rng, options: StressOptions = {}): string {
  if (text.trim() === "") return text;
  const pool = options.tautologies ?? TAUTOLOGIES;
  const k = rng.between(options.minPhrases ?? 3, options.maxPhrases ?? 5);
  const n = wordSpans(text).length;
  const phrases = Array.from({ length: k }, () => rng.pick(pool));
  const anywhere = options.position === "anywhere";
  return insertAtBoundaries(
    text,
    phrases.map((phrase) => ({ boundary: anywhere ? rng.int(n + 1) : n, phrase })),
  );
}
