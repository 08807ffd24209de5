import { parseNumberWords } from "./number-words.js";
import { scanNumbers } from "./numbers.js";
import type { NumberToken } from "./types.js";

// "the answer is", "the final answer is", "the correct answer is", "Answer:", "#### ", any case,
// with or without a colon. "####" must be followed by the number itself, so a markdown heading
// such as "#### Step 2" is not a cue. Alternatives start with distinct letters: no backtracking.
const CUE = /\b(?:the\s+)?(?:final\s+|correct\s+)?answer(?:\s+is\b|[ \t*_]*:)|####(?=[ \t]*[-\u2212$\d.])/gi;

export interface CueMatch {
  /** Offset just past the cue phrase. */
  cueEnd: number;
  number: NumberToken;
}

// What may sit between a cue and its number: punctuation, markdown, LaTeX openers, and a few
// filler words ("The answer is: **$18**", "the answer is therefore 18", "Answer: $\boxed{18}$").
const FILLER =
  /(?:[\s:*_$`(=~]|\\[([]|\\boxed\s*\{|\{|(?:approximately|about|therefore|thus|so|just|exactly)\b)*/iy;

/** How far after a cue its number may start: past this the cue was not introducing it. */
const MAX_GAP = 120;

/**
 * The text a cue's number must sit in: the rest of the cue's line, or the next non-empty line
 * when the cue ends its line ("Final Answer:\n18"). Bounded, so scanning many cues stays linear.
 */
export function clauseRange(text: string, cueEnd: number, to: number): [number, number] {
  const limit = Math.min(to, cueEnd + MAX_GAP * 2);
  let start = cueEnd;
  while (start < limit && /\s/.test(text[start])) start++;
  let end = start;
  while (end < limit && text[end] !== "\n") end++;
  return [start, end];
}

/** End of the sentence holding `i`: ". " or "!"/"?" or ";", not the point of "18.5". */
export function sentenceEnd(text: string, i: number, to: number): number {
  for (let k = i; k < to; k++) {
    if (".!?;".includes(text[k]) && (k + 1 >= text.length || /\s/.test(text[k + 1]))) return k;
  }
  return to;
}

/** The number a cue introduces, or null. `The answer is 5 + 13 = 18.` reads 18, not 5. */
export function numberAfterCue(text: string, cueEnd: number, to: number): NumberToken | null {
  const [start, end] = clauseRange(text, cueEnd, to);
  FILLER.lastIndex = start;
  FILLER.exec(text);
  const lead = Math.min(FILLER.lastIndex, end);
  const nums = scanNumbers(text, start, end);
  const first = nums[0];
  const word = /[a-z]/i.test(text[lead] ?? "") ? parseNumberWords(text, lead, end) : null;
  if (word && (!first || word.start < first.start)) {
    return { value: word.value, start: word.start, end: word.end, digits: String(word.value) };
  }
  if (!first || first.start - cueEnd > MAX_GAP) return null;
  const stop = sentenceEnd(text, first.end, end);
  let eq = -1;
  for (let k = first.end; k < stop; k++) if (text[k] === "=") eq = k;
  if (eq !== -1) return nums.find((n) => n.start > eq && n.start < stop) ?? first;
  return first;
}

/** Every cue in text[from, to) that introduces a number, in order. */
export function findCues(text: string, from: number, to: number): CueMatch[] {
  const out: CueMatch[] = [];
  CUE.lastIndex = from;
  for (let m = CUE.exec(text); m && m.index < to; m = CUE.exec(text)) {
    const cueEnd = m.index + m[0].length;
    const number = numberAfterCue(text, cueEnd, to);
    if (number) out.push({ cueEnd, number });
  }
  return out;
}

/** Whether the last cue's number is a prefix of the one before, cut off at `to` by the token limit. */
export function lastCueCut(cues: readonly CueMatch[], to: number): boolean {
  const last = cues[cues.length - 1]?.number;
  const prev = cues[cues.length - 2]?.number;
  if (!last || !prev || last.end !== to) return false;
  return prev.digits.length > last.digits.length && prev.digits.startsWith(last.digits);
}
