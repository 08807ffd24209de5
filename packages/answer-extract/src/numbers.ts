import type { NumberToken } from "./types.js";

// A hand-written scanner rather than one big regex: every character is looked at a bounded number
// of times, so a 100 KB degenerate output costs linear time, and each number form is one branch.

const MINUS_SIGNS = new Set(["-", "\u2212"]);
const SCALE_WORDS: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };

export function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

function isLetterOrDigit(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}

function readDigits(text: string, i: number, end: number): number {
  while (i < end && isDigit(text[i])) i++;
  return i;
}

/** Reads "1,234,567": groups of exactly three digits after a first group of one to three. */
function readInteger(text: string, i: number, end: number): number {
  const first = readDigits(text, i, end);
  let j = first;
  if (first - i > 3) return j;
  while (text[j] === "," && readDigits(text, j + 1, end) === j + 4) j += 4;
  return j;
}

/** A minus sign counts only when it is not an operator between two operands ("16-3", "x-5"). */
function signBefore(text: string, start: number, from: number): number {
  let k = start - 1;
  if (k >= from && text[k] === "$") k--;
  if (k < from || !MINUS_SIGNS.has(text[k])) return 1;
  return isLetterOrDigit(text[k - 1]) || text[k - 1] === ")" ? 1 : -1;
}

function signStart(text: string, start: number, from: number): number {
  let k = start - 1;
  if (k >= from && text[k] === "$") k--;
  return k >= from && MINUS_SIGNS.has(text[k]) ? k : start;
}

/** "1.5 million" → 1,500,000: written-out scales are how models often state large answers. */
function readScale(text: string, j: number, end: number): { factor: number; end: number } | null {
  // Most numbers are followed by a space and a word; only t(housand/rillion), m, b can scale.
  if (text[j] !== " " || !"tmbTMB".includes(text[j + 1] ?? "_")) return null;
  let k = j + 1;
  while (k < end && /[a-z]/i.test(text[k])) k++;
  const factor = SCALE_WORDS[text.slice(j + 1, k).toLowerCase()];
  return factor === undefined ? null : { factor, end: k };
}

interface Unsigned {
  value: number;
  end: number;
  digits: string;
  integer: boolean;
}

function readUnsigned(text: string, start: number, end: number): Unsigned {
  let j = readInteger(text, start, end);
  let integer = true;
  if (text[j] === "." && isDigit(text[j + 1]) && j + 1 < end) {
    j = readDigits(text, j + 1, end);
    integer = false;
  }
  const digits = text.slice(start, j);
  const value = Number.parseFloat(digits.replaceAll(",", ""));
  // Plain-text fractions "3/4" (integers only, so "$18/day" and dates-like noise stay out).
  if (integer && !digits.includes(",") && text[j] === "/" && isDigit(text[j + 1]) && j + 1 < end) {
    const denEnd = readDigits(text, j + 1, end);
    const den = Number.parseInt(text.slice(j + 1, denEnd), 10);
    if (den !== 0 && text[denEnd] !== "." && text[denEnd] !== "/") {
      return { value: value / den, end: denEnd, digits: text.slice(start, denEnd), integer: false };
    }
  }
  return { value, end: j, digits, integer };
}

function readLeadingDecimal(text: string, start: number, end: number): Unsigned {
  const d = readDigits(text, start, end);
  const digits = text.slice(start, d);
  return { value: Number.parseFloat(`0.${digits}`), end: d, digits, integer: false };
}

/**
 * All numbers in text[from, to), left to right. Handles signs (including U+2212), thousands
 * separators, `$`, `%`, decimals, trailing sentence periods, units glued on ("18kg"), plain
 * fractions ("3/4"), mixed numbers ("2 1/2") and scale words ("1.5 million").
 */
export function scanNumbers(text: string, from = 0, to = text.length): NumberToken[] {
  const out: NumberToken[] = [];
  let i = from;
  while (i < to) {
    // Most of a text is neither a digit nor a point: skip it cheaply.
    const code = text.charCodeAt(i);
    if ((code < 48 || code > 57) && code !== 46) {
      i++;
      continue;
    }
    const ch = text[i];
    const startsDecimal = ch === "." && isDigit(text[i + 1]) && !isDigit(text[i - 1]);
    if (!isDigit(ch) && !startsDecimal) {
      i++;
      continue;
    }
    // ".5" reads as 0.5; the scanner starts it at the digits so "1,000" rules do not apply.
    const start = startsDecimal ? i + 1 : i;
    const num = startsDecimal ? readLeadingDecimal(text, start, to) : readUnsigned(text, start, to);
    let end = num.end;
    let value = num.value;
    // Mixed number "2 1/2": an integer, one space, then a proper fraction.
    if (num.integer && text[end] === " " && isDigit(text[end + 1])) {
      const frac = readUnsigned(text, end + 1, to);
      if (!frac.integer && frac.digits.includes("/") && frac.value < 1) {
        value += frac.value;
        end = frac.end;
      }
    }
    if (text[end] === "%") end++;
    const scale = readScale(text, end, to);
    if (scale) {
      value *= scale.factor;
      end = scale.end;
    }
    const first = startsDecimal ? i : start;
    const sign = signBefore(text, first, from);
    out.push({
      value: sign * value,
      start: sign < 0 ? signStart(text, first, from) : first,
      end,
      digits: text.slice(first, num.end),
    });
    i = end;
  }
  return out;
}
