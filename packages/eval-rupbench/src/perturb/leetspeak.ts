import type { Rng } from "../prng.js";
import { replaceWords, wordSpans } from "./words.js";

/** Leet substitutions per letter, from the plain (4, 3, 1) to the elaborate ones the data shows. */
export const LEET_TABLE: Record<string, readonly string[]> = {
  a: ["4", "@", "/\\", "ª"],
  b: ["8", "|3", "ß"],
  c: ["(", "<", "¢", "["],
  d: ["|)", "[)", "cl"],
  e: ["3", "€", "ë", "&"],
  f: ["|=", "ph", "ƒ"],
  g: ["9", "6", "&"],
  h: ["#", "|-|", "}{", "]-["],
  i: ["1", "!", "|", "]["],
  j: ["_|", "¿"],
  k: ["|<", "|{"],
  l: ["1", "|_", "£"],
  m: ["|V|", "^^", "/\\/\\"],
  n: ["|\\|", "^/", "/\\/"],
  o: ["0", "()", "ö"],
  p: ["|*", "|o", "|>"],
  q: ["9", "(,)", "0_"],
  r: ["|2", "12", "®"],
  s: ["5", "$", "§"],
  t: ["7", "+", "†"],
  u: ["(_)", "µ", "|_|"],
  v: ["\\/", "|/"],
  w: ["vv", "\\/\\/", "\\^/"],
  x: ["><", "}{", "×"],
  y: ["¥", "`/", "j"],
  z: ["2", "7_", "%"],
};

export interface LeetOptions {
  /** Share of the words rewritten (at least one word is); the data shows roughly one in six. */
  rate?: number;
}

export function leetWord(word: string, rng: Rng): string {
  return [...word]
    .map((c) => (LEET_TABLE[c.toLowerCase()] ? rng.pick(LEET_TABLE[c.toLowerCase()]) : c))
    .join("");
}

/** RUPBench leetspeak: whole words rewritten letter by letter. A no-op only without any letter a-z. */
export function leetspeak(text: string, rng: Rng, options: LeetOptions = {}): string {
  const spans = wordSpans(text);
  const candidates = spans.flatMap((s, i) => (/[a-z]/i.test(s.text) ? [i] : []));
  const k = Math.max(1, Math.round(candidates.length * (options.rate ?? 0.15)));
  const edits = new Map<number, string>();
  for (const i of rng.sample(candidates, k)) edits.set(i, leetWord(spans[i].text, rng));
  return replaceWords(text, spans, edits);
}
