import type { Rng } from "../prng.js";
import { homophoneMap } from "./homophone-list.js";
import { matchCase, replaceWords, splitPunctuation, wordSpans } from "./words.js";

export interface HomophoneOptions {
  /** Chance that each replaceable word is replaced (at least one always is). */
  rate?: number;
  /** Overrides the bundled list. */
  groups?: readonly (readonly string[])[];
}

const BUNDLED = homophoneMap();

/** Homophone substitution. A no-op only when no word of the text is in the homophone list. */
export function homophones(text: string, rng: Rng, options: HomophoneOptions = {}): string {
  const map = options.groups ? homophoneMap(options.groups) : BUNDLED;
  const spans = wordSpans(text);
  const candidates = spans.flatMap((s, i) => {
    const core = splitPunctuation(s.text).core.toLowerCase().replace(/’/g, "'");
    return map.has(core) ? [i] : [];
  });
  if (candidates.length === 0) return text;
  const rate = options.rate ?? 0.5;
  let chosen = candidates.filter(() => rng.next() < rate);
  if (chosen.length === 0) chosen = [rng.pick(candidates)];
  const edits = new Map<number, string>();
  for (const i of chosen) {
    const { pre, core, post } = splitPunctuation(spans[i].text);
    const swap = rng.pick(map.get(core.toLowerCase().replace(/’/g, "'"))!);
    edits.set(i, pre + matchCase(swap, core) + post);
  }
  return replaceWords(text, spans, edits);
}
