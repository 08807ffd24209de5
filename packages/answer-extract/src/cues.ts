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

function lineEnd(text: string, i: number, to: number): number {
  const nl = text.indexOf("\n", i);
  return nl === -1 || nl > to ? to : nl;
}

/** "Final Answer:\n18": a cue ending its line is answered on the next non-empty line. */
function clauseRange(text: string, cueEnd: number, to: number): [number, number] {
  let start = cueEnd;
  let end = lineEnd(text, start, to);
  while (text.slice(start, end).trim() === "" && end < to) {
    start = end + 1;
    end = lineEnd(text, start, to);
  }
  return [start, Math.min(end, start + MAX_GAP * 2)];
}

/** End of the sentence holding `i`: ". " or "!"/"?" or ";", not the point of "18.5". */
function sentenceEnd(text: string, i: number, to: number): number {
  const re = /[.!?;](?=\s|$)/g;
  re.lastIndex = i;
  const m = re.exec(text);
  return m && m.index < to ? m.index : to;
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
  const eq = text.lastIndexOf("=", stop);
  if (eq > first.end) return nums.find((n) => n.start > eq && n.start < stop) ?? first;
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

/** Whether text[from, to) holds a cue phrase at all (with or without a number after it). */
export function containsCue(text: string, from: number, to: number): boolean {
  CUE.lastIndex = from;
  const m = CUE.exec(text);
  return m !== null && m.index + m[0].length <= to;
}
