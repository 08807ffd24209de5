import { type CueMatch, clauseRange, sentenceEnd } from "./cues.js";
import { parseNumberWords } from "./number-words.js";
import { scanNumbers } from "./numbers.js";
import { isOptionLetter, optionValue } from "./options.js";
import { operatorAfter } from "./results.js";
import type { NumberToken } from "./types.js";

// The refined answer cues. A careful grader counts "the answer is N" only when it states an
// answer: the number comes right after the cue (after markup), so prose such as "my answer is
// correct. ... 50" or "the answer is not 20" does not fire, and neither does a conditional ("If
// she skipped breakfast, the answer is 20", "20 only if ..."). Besides the study's cues this
// reads "the final result is N" / "Final result: x = N" and a "Final answer." heading whose
// number is on the next line. Alternatives start with distinct letters: no backtracking.
const STATED_CUE =
  /\b(?:the\s+)?(?:final\s+|correct\s+|corrected\s+)?answer(?:\s+is\b|[ \t*_]*:)|\bfinal\s+answer[ \t*_.#]*(?=\r?\n)|\b(?:the\s+)?final\s+result(?:\s+is\b|[ \t*_]*:)?|####(?=[ \t]*[-\u2212$\d.])/gi;

// What may sit between a cue and its number: markup, LaTeX openers (an eaten `\b` included), a
// variable being assigned ("x = 20") and a few filler words.
const FILLER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a backspace is how an eaten `\b` of `\boxed` arrives
  /(?:[\s:*_$`(=~]|\\[([$]|\\boxed\s*\{|\u0008oxed\s*\{|\{|\b[a-z]\s*=(?!=)|(?:approximately|about|therefore|thus|so|just|exactly|a total of)\b)*/iy;

/** A cue in a conditional clause does not state the answer. */
const CONDITION_BEFORE = /\b(?:if|unless|whether|suppose|supposing|assuming)\b/i;
const CONDITION_AFTER = /^[^.!?\n]{0,30}?\bonly\s+if\b/i;

export interface StatedCue extends CueMatch {
  /** Where the cue phrase starts. */
  cueStart: number;
  /** "the correct answer is": the cue itself says it replaces an earlier answer. */
  corrects: boolean;
}

/** Start of the sentence holding `i`, looking back at most 200 characters. */
function sentenceStart(text: string, i: number): number {
  const limit = Math.max(0, i - 200);
  for (let k = i - 1; k >= limit; k--) {
    if (text[k] === "\n" || (".!?".includes(text[k]) && /\s/.test(text[k + 1] ?? ""))) return k + 1;
  }
  return limit;
}

/** The value of the model's own option for a letter, looked up once per letter and text. */
type OptionLookup = (letter: string) => NumberToken | null;

/** "The answer is C." or "(B) 18": a letter naming one of the model's own options. */
function optionAnswer(text: string, lead: number, end: number, option: OptionLookup): NumberToken | null {
  let k = lead + 1;
  if (/[a-z]/i.test(text[k] ?? "")) return null; // a word, not a letter
  while (k < end && /[).:*\s$]/.test(text[k])) k++;
  const [next] = scanNumbers(text, k, end);
  if (next && next.start === k && k > lead + 1) return next;
  return option(text[lead]);
}

/** The number a refined cue states, or null: it must come first after the cue's filler. */
function statedNumber(text: string, cueEnd: number, to: number, option: OptionLookup): NumberToken | null {
  const [start, end] = clauseRange(text, cueEnd, to);
  FILLER.lastIndex = start;
  FILLER.exec(text);
  const lead = Math.min(FILLER.lastIndex, end);
  if (lead >= end) return null;
  if (/[a-z]/i.test(text[lead])) {
    const word = parseNumberWords(text, lead, end);
    if (word) return { value: word.value, start: word.start, end: word.end, digits: String(word.value) };
    return isOptionLetter(text[lead]) ? optionAnswer(text, lead, end, option) : null;
  }
  const nums = scanNumbers(text, lead, end);
  const first = nums[0];
  if (!first || first.start !== lead) return null;
  // "The answer is 5 + 13 = 18." states 18; "The answer is $18 per day, or 18 * 7 = 126 per
  // week." states 18: the result is read only when the cue's number feeds the arithmetic.
  if (!operatorAfter(text, first, end)) return first;
  const stop = sentenceEnd(text, first.end, end);
  let eq = -1;
  for (let k = first.end; k < stop; k++) if (text[k] === "=") eq = k;
  if (eq !== -1) return nums.find((n) => n.start > eq && n.start < stop) ?? first;
  return first;
}

function conditional(text: string, cueStart: number, number: NumberToken): boolean {
  if (CONDITION_BEFORE.test(text.slice(sentenceStart(text, cueStart), cueStart))) return true;
  const after = text.slice(number.end, number.end + 40);
  return CONDITION_AFTER.test(after) || /^[^\n.!?]{0,15}\?/.test(after);
}

/** Every refined cue in text[from, to) that states a number, in order. */
export function findStatedCues(text: string, from: number, to: number): StatedCue[] {
  const out: StatedCue[] = [];
  // A loop of "The answer is C." would otherwise search the whole text for option C once per cue.
  const options = new Map<string, NumberToken | null>();
  const option: OptionLookup = (letter) => {
    if (!options.has(letter)) options.set(letter, optionValue(text, letter, 0, to));
    return options.get(letter) ?? null;
  };
  STATED_CUE.lastIndex = from;
  for (let m = STATED_CUE.exec(text); m && m.index < to; m = STATED_CUE.exec(text)) {
    const cueEnd = m.index + m[0].length;
    const number = statedNumber(text, cueEnd, to, option);
    if (!number || conditional(text, m.index, number)) continue;
    out.push({ cueStart: m.index, cueEnd, number, corrects: /correct/i.test(m[0]) });
  }
  return out;
}
