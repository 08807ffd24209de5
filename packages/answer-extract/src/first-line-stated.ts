import { firstNonEmptyLine, isBareAnswer, type Line } from "./first-line.js";
import { scanNumbers } from "./numbers.js";
import type { StatedCue } from "./stated-cues.js";
import type { NumberToken } from "./types.js";

// The refined first-line rule. The study's rule (a first line of equal numbers) also fires on a
// chain of thought whose first line restates one number of the question, on list enumerators
// ("1. Janet…", "Step 1:"), and misses a bare answer followed by chatter on the same line
// ("38. Thank you.", "$22.00. Thanks…", "25.5 days. 15 kg/h × …"). Here the first line answers
// when it is one of:
// - labelled: it holds a stated cue and its numbers agree ("The answer is 18. 18");
// - bare: the whole line, or its first sentence, is nothing but the number ("18", "**$18**",
//   "18 dollars", "38. Thank you.", "$<<1400=1400>>1400"), GSM8K calculator annotations aside;
// - the only line (the study's rule).
// Heading and list numbers never answer: "Step 2", "#1", "(3)", and "1." / "3)" when the list
// goes on with "2." / "4)" on a later line (or starts at 1).

export interface FirstLineAnswer {
  token: NumberToken;
  /** The line holds an answer cue, rather than a bare number. */
  labelled: boolean;
}

/** `<<16-3-4=9>>` annotations blanked out, so offsets stay those of the text. */
function withoutAnnotations(s: string): string {
  return s.replace(/<<[^<>\n]*>>/g, (m) => " ".repeat(m.length));
}

const LABEL_WORDS = "step|part|case|method|stage|phase|round|problem|question|example|scenario|option";
const LABEL = new RegExp(`^[\\s#*>_-]*(?:${LABEL_WORDS})\\s*$`, "i");

/** Whether a later line starts with the list number `n + 1` ("2." after "1."). */
function listContinues(text: string, from: number, to: number, n: number): boolean {
  const re = new RegExp(`^[\\s*>_-]*${n + 1}[.)]`, "m");
  return re.test(text.slice(from, Math.min(to, from + 4000)));
}

/** Whether the line's first number is a heading or list number rather than a value. */
function isListNumber(line: string, tok: NumberToken, text: string, lineEnd: number, to: number): boolean {
  const before = line.slice(0, tok.start);
  const after = line.slice(tok.end);
  if (LABEL.test(before)) return true;
  if (/^[\s*>_-]*#+\s*$/.test(before) && (before.endsWith("#") || /^[.:)]/.test(after))) return true;
  if (/^[\s*>_-]*\($/.test(before) && after.startsWith(")")) return true;
  if (!/^[\s*>_-]*$/.test(before) || !/^[.)](?:\*\*)?(?:\s|$)/.test(after)) return false;
  return tok.value === 1 || listContinues(text, lineEnd, to, tok.value);
}

/** End of the first sentence after `i` in s: ". ", "! ", "? ", or the end. */
function firstSentenceEnd(s: string, i: number): number {
  for (let k = i; k < s.length; k++) {
    if (".!?".includes(s[k]) && (k + 1 === s.length || /\s/.test(s[k + 1]))) return k + 1;
  }
  return s.length;
}

export function firstLineStated(
  text: string,
  from: number,
  to: number,
  cues: readonly StatedCue[],
): FirstLineAnswer | null {
  const line = firstNonEmptyLine(text, from, to);
  if (!line) return null;
  const s = withoutAnnotations(text.slice(line.start, line.end));
  if (s.trimEnd().endsWith(":")) return null;
  let nums = scanNumbers(s);
  if (nums.length > 0 && isListNumber(s, nums[0], text, line.end, to)) nums = nums.slice(1);
  if (nums.length === 0) return null;
  const at = (t: NumberToken): NumberToken => ({
    ...t,
    start: t.start + line.start,
    end: t.end + line.start,
  });
  const whole: Line = { start: 0, end: s.length };
  const agree = nums.every((n) => n.value === nums[0].value);
  const labelled = cues.some((c) => c.cueEnd > line.start && c.cueEnd <= line.end);
  const onlyLine = text.slice(line.end, to).trim() === "";
  if (agree && (onlyLine || labelled || isBareAnswer(s, whole, nums)))
    return { token: at(nums[0]), labelled };
  const sentence: Line = { start: 0, end: firstSentenceEnd(s, nums[0].end) };
  const inSentence = nums.filter((n) => n.end <= sentence.end);
  if (sentence.end < s.length && isBareAnswer(s, sentence, inSentence) && inSentence.length === 1) {
    return { token: at(nums[0]), labelled: false };
  }
  return null;
}
