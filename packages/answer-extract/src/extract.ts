import { findCues } from "./cues.js";
import { firstLineAnswer } from "./first-line.js";
import { boxedValue, findBoxed } from "./latex.js";
import { lastNumberWords } from "./number-words.js";
import { scanNumbers } from "./numbers.js";
import { readRefined } from "./refined.js";
import type { Extraction, ExtractOptions, NumberToken } from "./types.js";

// The study's four rules, exactly as the study wrote them (mode "study"), and the entry point
// that sends the default mode to the refined rules (refined.ts).

function fromToken(rule: Extraction["rule"], tok: NumberToken): Extraction {
  return { value: tok.value, rule, span: { start: tok.start, end: tok.end } };
}

/** Every `\boxed{}` in text[0, to) that holds a number, in order (the study's box commands). */
export function boxedCandidates(text: string, to: number): Extraction[] {
  const out: Extraction[] = [];
  for (const box of findBoxed(text, 0, to)) {
    const value = boxedValue(box.content);
    if (value !== null) out.push({ value, rule: "boxed", span: { start: box.start, end: box.end } });
  }
  return out;
}

/** The last number of text[0, to); in refined mode, when there are no digits, the last number in words. */
export function lastNumber(text: string, to: number, refined: boolean): Extraction | null {
  const nums = scanNumbers(text, 0, to);
  if (nums.length > 0) return fromToken("last-number", nums[nums.length - 1]);
  if (!refined) return null;
  const word = lastNumberWords(text, 0, to);
  return word ? { value: word.value, rule: "last-number", span: { start: word.start, end: word.end } } : null;
}

/** The study's rules: the first box, a first line of equal numbers, the first cue, the last number. */
function extractStudy(text: string): Extraction {
  const to = text.length;
  const boxed = boxedCandidates(text, to)[0];
  if (boxed) return boxed;
  const line = firstLineAnswer(text, 0, to);
  if (line) return fromToken("first-line", line);
  const cue = findCues(text, 0, to)[0];
  if (cue) return fromToken("answer-cue", cue.number);
  return lastNumber(text, to, false) ?? { value: null, rule: "none" };
}

/**
 * Reads the numeric answer from a model's output. Refined (default): the first stated answer (a
 * box, then an answer cue, unless explicitly retracted), a bare first-line answer, a bold bare
 * number on the last line, else the result of the last completed computation. Study: the
 * study's four rules as written. Pure; linear in the length of `text`.
 */
export function extractAnswer(text: string, options: ExtractOptions = {}): Extraction {
  return (options.mode ?? "refined") === "refined" ? readRefined(text).extraction : extractStudy(text);
}
