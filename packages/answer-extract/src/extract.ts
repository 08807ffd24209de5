import { answerRegionEnd, dropTruncatedTail } from "./answer-region.js";
import { boldAnswer } from "./bold.js";
import { type CueMatch, findCues } from "./cues.js";
import { firstLineAnswer } from "./first-line.js";
import { boxedValue, findBoxed } from "./latex.js";
import { lastNumberWords } from "./number-words.js";
import { scanNumbers } from "./numbers.js";
import type { Extraction, ExtractOptions, NumberToken } from "./types.js";

function fromToken(rule: Extraction["rule"], tok: NumberToken): Extraction {
  return { value: tok.value, rule, span: { start: tok.start, end: tok.end } };
}

/** Every `\boxed{}` in text[0, to) that holds a number, in order. */
export function boxedCandidates(text: string, to: number): Extraction[] {
  const out: Extraction[] = [];
  for (const box of findBoxed(text, 0, to)) {
    const value = boxedValue(box.content);
    if (value !== null) out.push({ value, rule: "boxed", span: { start: box.start, end: box.end } });
  }
  return out;
}

function boxedRule(text: string, to: number): Extraction | null {
  return boxedCandidates(text, to)[0] ?? null;
}

/**
 * The refined rule reads the *last* cue (a model that corrects itself, or restates, ends on its
 * answer), unless that cue's number was cut off by the token limit: "The answer is 18. The
 * answer is 1" at the very end reads 18.
 */
function pickCue(cues: CueMatch[], to: number, refined: boolean): NumberToken | null {
  if (cues.length === 0) return null;
  if (!refined) return cues[0].number;
  const last = cues[cues.length - 1].number;
  return lastCueCut(cues, to) ? cues[cues.length - 2].number : last;
}

/** Whether the last cue's number is a prefix of the one before, cut off at `to` by the token limit. */
export function lastCueCut(cues: CueMatch[], to: number): boolean {
  const last = cues[cues.length - 1]?.number;
  const prev = cues[cues.length - 2]?.number;
  if (!last || !prev || last.end !== to) return false;
  return prev.digits.length > last.digits.length && prev.digits.startsWith(last.digits);
}

export function lastNumber(text: string, to: number, refined: boolean): Extraction | null {
  const nums = scanNumbers(text, 0, to);
  if (nums.length > 0) return fromToken("last-number", nums[nums.length - 1]);
  if (!refined) return null;
  const word = lastNumberWords(text, 0, to);
  return word ? { value: word.value, rule: "last-number", span: { start: word.start, end: word.end } } : null;
}

/**
 * Reads the numeric answer from a model's output. Rules, first that fires wins: the first
 * `\boxed{}`, a first line of equal numbers, the number after an answer cue, (refined only) a bold
 * bare number on the last line, the last number. Pure; linear in the length of `text`.
 */
export function extractAnswer(text: string, options: ExtractOptions = {}): Extraction {
  const refined = (options.mode ?? "refined") === "refined";
  const to = refined ? dropTruncatedTail(text, 0, answerRegionEnd(text)) : text.length;

  const boxed = boxedRule(text, to);
  if (boxed) return boxed;
  const line = firstLineAnswer(text, 0, to, refined);
  if (line) return fromToken("first-line", line);
  const cue = pickCue(findCues(text, 0, to), to, refined);
  if (cue) return fromToken("answer-cue", cue);
  const bold = refined ? boldAnswer(text, 0, to) : null;
  if (bold) return fromToken("bold", bold);
  return lastNumber(text, to, refined) ?? { value: null, rule: "none" };
}
