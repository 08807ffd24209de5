import type { Rng } from "../prng.js";
import { replaceWords, wordSpans } from "./words.js";

export type TypoOperation = "swap" | "insert" | "delete" | "replace";

export interface TypoOptions {
  /** How many words get a typo (the benchmark: 3 to 6), capped at the number of words. */
  minWords?: number;
  maxWords?: number;
}

const TYPO_CHARS = "abcdefghijklmnopqrstuvwxyz";
const hasAlnum = (w: string) => /[\p{L}\p{N}]/u.test(w);

/** One typo in one word; always changes the word (an impossible swap falls back to a replace). */
export function typoInWord(word: string, op: TypoOperation, rng: Rng): string {
  const chars = [...word];
  if (op === "delete" && chars.length < 2) op = "insert"; // deleting a 1-letter word would erase it
  if (op === "swap") {
    const pairs = chars.flatMap((c, i) => (i + 1 < chars.length && c !== chars[i + 1] ? [i] : []));
    if (pairs.length === 0) op = "replace";
    else {
      const i = rng.pick(pairs);
      [chars[i], chars[i + 1]] = [chars[i + 1], chars[i]];
      return chars.join("");
    }
  }
  if (op === "insert") {
    chars.splice(rng.int(chars.length + 1), 0, rng.pick([...TYPO_CHARS]));
  } else if (op === "delete") {
    chars.splice(rng.int(chars.length), 1);
  } else {
    const i = rng.int(chars.length);
    const choices = [...TYPO_CHARS].filter((c) => c !== chars[i].toLowerCase());
    chars[i] = rng.pick(choices);
  }
  return chars.join("");
}

/**
 * RUPBench typos: 3-6 words each get one swap, insertion, deletion or replacement of a character.
 * A no-op only for text without a letter or digit.
 */
export function typos(text: string, rng: Rng, options: TypoOptions = {}): string {
  const spans = wordSpans(text);
  const candidates = spans.flatMap((s, i) => (hasAlnum(s.text) ? [i] : []));
  const k = rng.between(options.minWords ?? 3, options.maxWords ?? 6);
  const ops: TypoOperation[] = ["swap", "insert", "delete", "replace"];
  const edits = new Map<number, string>();
  for (const i of rng.sample(candidates, k)) edits.set(i, typoInWord(spans[i].text, rng.pick(ops), rng));
  return replaceWords(text, spans, edits);
}
