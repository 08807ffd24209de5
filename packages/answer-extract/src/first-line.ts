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

/**
 * The study's rule 2: the first non-empty line holds numbers that are all equal. (It also fires
 * on a first line restating one number of the question; the refined rule, first-line-stated.ts,
 * asks for more.)
 */
export function firstLineAnswer(text: string, from: number, to: number): NumberToken | null {
  const line = firstNonEmptyLine(text, from, to);
  if (!line) return null;
  const nums = scanNumbers(text, line.start, line.end);
  if (nums.length === 0 || !nums.every((n) => n.value === nums[0].value)) return null;
  return nums[0];
}
