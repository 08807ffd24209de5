import { containsCue } from "./cues.js";
import { scanNumbers } from "./numbers.js";
import type { NumberToken } from "./types.js";

export interface Line {
  start: number;
  end: number;
}

export function firstNonEmptyLine(text: string, from: number, to: number): Line | null {
  let start = from;
  while (start < to) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 || nl > to ? to : nl;
    if (text.slice(start, end).trim() !== "") return { start, end };
    start = end + 1;
  }
  return null;
}

export function lastNonEmptyLine(text: string, from: number, to: number): Line | null {
  let end = to;
  while (end > from) {
    const nl = text.lastIndexOf("\n", end - 1);
    const start = nl < from ? from : nl + 1;
    if (text.slice(start, end).trim() !== "") return { start, end };
    end = Math.max(nl, from);
  }
  return null;
}

// Markdown and LaTeX that may wrap a bare answer ("**18**", "$18$", "A: 18", "\boxed{18}").
const DECORATION = /^(?:[\s#*>_`$\\()[\]{}:-]|\ba\b|\banswer\b|boxed)*$/i;

/** "1. Janet has..." or "Step 1:" number a list, they do not answer. */
function isEnumerator(text: string, line: Line, tok: NumberToken): boolean {
  const before = text.slice(line.start, tok.start);
  if (!/^[\s#*>_-]*(?:step|part)?\s*$/i.test(before)) return false;
  return /step|part/i.test(before) || /^[.):]\s+[^\d\s$.\u2212-]/.test(text.slice(tok.end, tok.end + 3));
}

/**
 * A line that is nothing but an answer: it starts with the number (after decoration), holds no
 * equation, and at most two words follow ("18", "**$18**", "18 dollars", "$18 per day").
 */
export function isBareAnswer(text: string, line: Line, nums: NumberToken[]): boolean {
  if (nums.length === 0 || !DECORATION.test(text.slice(line.start, nums[0].start))) return false;
  // "672/4 = <<672/4=168>>168 balloons" agrees with itself but is working, not an answer.
  if (text.slice(line.start, line.end).includes("=")) return false;
  let rest = "";
  let at = nums[0].end;
  for (const n of nums.slice(1)) {
    rest += ` ${text.slice(at, n.start)}`;
    at = n.end;
  }
  rest += ` ${text.slice(at, line.end)}`;
  const words = rest.replace(/\\[a-z]+/gi, " ").match(/\p{L}+/gu) ?? [];
  return words.length <= 2;
}

/** Numbers of the line, less list enumerators; null unless there is one and all are equal. */
function equalNumbers(text: string, line: Line, refined: boolean): NumberToken[] | null {
  let nums = scanNumbers(text, line.start, line.end);
  if (refined) nums = nums.filter((n, i) => i > 0 || !isEnumerator(text, line, n));
  if (nums.length === 0 || !nums.every((n) => n.value === nums[0].value)) return null;
  return nums;
}

/**
 * Rule 2: the first line holds numbers that are all equal. As the study wrote it, a CoT whose
 * first line restates one number of the question ("Janet's ducks lay 16 eggs per day.") would
 * answer 16; the refined rule also asks, when more lines follow, that the line be a bare
 * answer or carry an answer cue ("The answer is 18. 18"), and not be a heading ("Step 1:").
 */
export function firstLineAnswer(
  text: string,
  from: number,
  to: number,
  refined: boolean,
): NumberToken | null {
  const line = firstNonEmptyLine(text, from, to);
  if (!line) return null;
  const nums = equalNumbers(text, line, refined);
  if (!nums) return null;
  if (!refined) return nums[0];
  if (text.slice(line.start, line.end).trimEnd().endsWith(":")) return null;
  const moreLines = text.slice(line.end, to).trim() !== "";
  if (!moreLines || containsCue(text, line.start, line.end) || isBareAnswer(text, line, nums)) return nums[0];
  return null;
}
