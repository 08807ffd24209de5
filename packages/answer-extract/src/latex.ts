import { parseNumberWords } from "./number-words.js";
import { isDigit, scanNumbers } from "./numbers.js";

export interface Boxed {
  /** The raw LaTeX between the braces. */
  content: string;
  /** Span of the whole `\boxed{...}` (or `\fbox{...}`). */
  start: number;
  end: number;
}

const BOX_COMMANDS = ["\\boxed", "\\fbox"];

/**
 * The box commands as they arrive when an output went through one JSON decode too many: the
 * `\b` of `\boxed` became a backspace (U+0008) and the `\f` of `\fbox` a form feed (U+000C).
 * 58 of 6,595 graded Llama-3.1 outputs had `\u0008oxed{...}`. Refined mode reads them as boxes.
 */
export const BOX_COMMANDS_WITH_EATEN_ESCAPES = [...BOX_COMMANDS, "\u0008oxed", "\u000cbox"];

/**
 * Puts back the backslash that an extra JSON decode turned into a control character inside a
 * box: `\u000crac` is `\frac`, `\u0009ext` is `\text`, `\u0009imes` is `\times`, `\u000dight` `\right`.
 */
export function restoreEatenEscapes(latex: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what an extra JSON decode leaves of `\b`, `\f`, `\t`, `\r`
  return latex.replace(/[\u0008\u000c\u0009\u000d](?=[a-z])/g, (c) => `\\${ESCAPE_LETTER[c]}`);
}

const ESCAPE_LETTER: Record<string, string> = { "\u0008": "b", "\u000c": "f", "\u0009": "t", "\u000d": "r" };

/** Index just past the group closing the brace at `open`, or -1 when the text ends first. */
function closeBrace(text: string, open: number, to: number): number {
  let depth = 0;
  for (let i = open; i < to; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Every `\boxed{...}` in text[from, to), in order. `\boxed {18}` (TeX allows the space) and
 * `\boxed 18` (a single-token argument) count; an unclosed box (a truncated output) does not.
 */
export function findBoxed(
  text: string,
  from = 0,
  to = text.length,
  commands: readonly string[] = BOX_COMMANDS,
): Boxed[] {
  const out: Boxed[] = [];
  // Where each command next occurs (-1: nowhere further). Searched again only once passed, so a
  // command that never occurs is not looked for from every box (quadratic in the box count).
  const next = commands.map(() => Number.NEGATIVE_INFINITY);
  let i = from;
  while (i < to) {
    let at = -1;
    let cmd = "";
    for (const [n, c] of commands.entries()) {
      if (next[n] !== -1 && next[n] < i) next[n] = text.indexOf(c, i);
      const k = next[n];
      if (k !== -1 && k < to && (at === -1 || k < at)) [at, cmd] = [k, c];
    }
    if (at === -1) break;
    let j = at + cmd.length;
    if (/[a-z]/i.test(text[j] ?? "")) {
      i = j; // \boxedsomething is another command
      continue;
    }
    while (j < to && (text[j] === " " || text[j] === "\t")) j++;
    if (text[j] === "{") {
      const close = closeBrace(text, j, to);
      if (close === -1) break;
      out.push({ content: text.slice(j + 1, close - 1), start: at, end: close });
      i = close;
    } else {
      let k = j;
      while (k < to && /[^\s$}]/.test(text[k])) k++;
      if (k > j) out.push({ content: text.slice(j, k), start: at, end: k });
      i = Math.max(k, at + cmd.length);
    }
  }
  return out;
}

/** A LaTeX command argument: a brace group, or else a single non-space character (`\dfrac34`). */
function readArg(s: string, i: number): { arg: string; end: number } | null {
  while (s[i] === " ") i++;
  if (i >= s.length) return null;
  if (s[i] === "{") {
    const close = closeBrace(s, i, s.length);
    return close === -1 ? null : { arg: s.slice(i + 1, close - 1), end: close };
  }
  if (s[i] === "\\") return null;
  return { arg: s[i], end: i + 1 };
}

function simpleValue(arg: string): number | null {
  const nums = scanNumbers(plainLatex(arg));
  return nums.length === 1 ? nums[0].value : null;
}

/** Replaces `\frac{a}{b}` (and `\dfrac`, `\tfrac`) by its value; "2\frac{1}{2}" becomes 2.5. */
function replaceFractions(s: string): string {
  const re = /\\[dt]?frac(?![a-z])/gi;
  let out = "";
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const num = readArg(s, m.index + m[0].length);
    const den = num && readArg(s, num.end);
    if (!num || !den) continue;
    const n = simpleValue(num.arg);
    const d = simpleValue(den.arg);
    if (n === null || d === null || d === 0) continue;
    let value = n / d;
    let prefix = s.slice(last, m.index);
    const whole = /(-|\u2212)?(\d+)\s*$/.exec(prefix);
    if (whole && value >= 0 && value < 1 && !isDigit(prefix[whole.index - 1])) {
      const int = Number.parseInt(whole[2], 10);
      value = int + value;
      prefix = prefix.slice(0, whole.index) + (whole[1] ? "-" : "");
    }
    out += `${prefix}${formatPlain(value)}`;
    last = den.end;
    re.lastIndex = den.end;
  }
  return out + s.slice(last);
}

/** Decimal notation the scanner reads back (never exponent form). */
function formatPlain(value: number): string {
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  const text = Number.isInteger(abs) ? abs.toFixed(0) : abs.toFixed(12).replace(/0+$/, "");
  return sign + text;
}

/** Strips the LaTeX that models put around numbers: `\$`, `\,`, `{,}`, `\text{}`, `\%`, `^\circ`. */
export function plainLatex(s: string): string {
  return s
    .replace(/\{,\}/g, ",")
    .replace(/\\[,;:! ]/g, "")
    .replace(/\\\$/g, "$")
    .replace(/\\%/g, "%")
    .replace(/\^\s*\{?\\circ\}?/g, "")
    .replace(/\\(?:text|textbf|mathrm|mathbf|mbox|operatorname)\s*/g, "")
    .replace(/\\(?:left|right)(?![a-z])/gi, "")
    .replace(/\\(?:cdot|times)/g, "*")
    .replace(/[{}]/g, " ");
}

/** The number a `\boxed{}` holds: fractions evaluated, "x = 18" read after the last "=". */
export function boxedValue(content: string): number | null {
  let s = plainLatex(replaceFractions(content));
  const eq = s.lastIndexOf("=");
  if (eq !== -1) s = s.slice(eq + 1);
  const nums = scanNumbers(s);
  if (nums.length > 0) return nums[0].value;
  const start = s.search(/[a-z]/i);
  const word = start === -1 ? null : parseNumberWords(s, start);
  return word ? word.value : null;
}

/**
 * Whether the last `\boxed{` (or `\fbox{`) in text[from, to) is never closed: the output was cut
 * off inside its answer. Only the last one is checked, which keeps this linear.
 */
export function hasUnclosedBox(
  text: string,
  from = 0,
  to = text.length,
  commands: readonly string[] = BOX_COMMANDS,
): boolean {
  for (const cmd of commands) {
    const at = text.lastIndexOf(cmd, to - cmd.length);
    if (at < from) continue;
    let j = at + cmd.length;
    while (j < to && (text[j] === " " || text[j] === "\t")) j++;
    if (text[j] === "{" && closeBrace(text, j, to) === -1) return true;
  }
  return false;
}
