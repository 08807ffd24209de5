import {
  cutAtEnd,
  endsCleanly,
  endsMidExpression,
  resultCutShort,
  unfinishedSentenceStart,
} from "./cut-off.js";
import { scanNumbers } from "./numbers.js";
import { isOperand, isResult, namedInProse } from "./results.js";
import type { NumberToken } from "./types.js";

// With no stated answer, a careful grader reads the result of the last completed computation,
// never a number that only labels, feeds or restates something. This file sorts the numbers of
// a text into those that can be such a result and those that cannot, and says why.

/** Why a number cannot be the answer. */
export type NonAnswer =
  | "heading" // "## Step 7:", "Step 13:", "#10:", "(3)", "2. She sells…"
  | "operand" // "16 - 3", "(9 × 2)", "= 40 + 3 other pets": fed into arithmetic, not its result
  | "question" // "How many pages does he read in 7 days?": a given of a question
  | "counting" // "1, 2, 3, 4, 5, …": a counting run
  | "code" // "price = 2" in a code block: a constant
  | "algebra" // the 8 of "8x"
  | "annotation" // inside GSM8K's "<<9*2=18>>", which repeats the visible result
  | "cut-off"; // the text stops mid-expression ("$105 + $", "is 0" cut from "0.45", "divide by 1")

export interface ReadNumber {
  token: NumberToken;
  /** Written right after "=" or "≈": the result of a computation. */
  result: boolean;
  /** Null when the number can be the answer. */
  nonAnswer: NonAnswer | null;
}

const LABEL =
  /^[\s#*>_-]*(?:step|part|case|method|stage|phase|round|day|week|problem|question|example|scenario|option)\s*$/i;
const COUNTING_RUN = 5;

/** [start, end) of the line holding each number (numbers in order). Linear. */
function linesOf(text: string, nums: readonly NumberToken[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let start = from;
  let end = from - 1;
  for (const t of nums) {
    while (end < t.start) {
      start = end + 1;
      const nl = text.indexOf("\n", start);
      end = nl === -1 || nl > to ? to : nl;
    }
    out.push([start, end]);
  }
  return out;
}

/** A heading or list number ("## Step 7:", "#10:", "(3)", "2. She sells…", a lone "4." after "3."). */
export function isHeading(text: string, tok: NumberToken, lineStart: number): boolean {
  if (/\bstep\s*$/i.test(text.slice(Math.max(lineStart, tok.start - 8), tok.start))) return true;
  if (tok.start - lineStart > 40) return false;
  const before = text.slice(lineStart, tok.start);
  const after = text.slice(tok.end, tok.end + 4);
  if (LABEL.test(before)) return true;
  if (/^[\s*>_-]*#+\s*$/.test(before) && (before.endsWith("#") || /^[.:)]/.test(after))) return true;
  if (/^[\s*>_-]*\($/.test(before) && after.startsWith(")")) return true;
  if (!/^[\s*>_-]*$/.test(before)) return false;
  return /^[.):](?:\*\*)?[ \t]+\S/.test(after) || loneListItem(text, tok, lineStart);
}

/**
 * "4." alone on a line, after an item "3." (the token limit cut the list right after the next
 * item's number): a list number, not the answer.
 */
function loneListItem(text: string, tok: NumberToken, lineStart: number): boolean {
  if (!/^[.)](?:\*\*)?[ \t]*(?:\r?\n|$)/.test(text.slice(tok.end, tok.end + 6))) return false;
  if (!Number.isInteger(tok.value) || tok.value < 2 || tok.digits !== String(tok.value)) return false;
  const item = String(tok.value - 1);
  const floor = Math.max(0, lineStart - 1000);
  for (let end = lineStart - 1; end > floor; ) {
    const start = Math.max(floor, text.lastIndexOf("\n", end - 1) + 1);
    const line = text.slice(start, end).replace(/^[ \t*>_-]*/, "");
    if (line.startsWith(item) && /^[.)]/.test(line.slice(item.length))) return true;
    end = start - 1;
  }
  return false;
}

/** Spans of fenced code blocks ("```" … "```", an unclosed one running to the end). */
function codeBlocks(text: string, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let at = text.indexOf("```", from);
  while (at !== -1 && at < to) {
    const close = text.indexOf("```", at + 3);
    out.push([at, close === -1 || close > to ? to : close]);
    if (close === -1) break;
    at = text.indexOf("```", close + 3);
  }
  return out;
}

const LITERAL_ASSIGNMENT = /^\s*[A-Za-z_][\w.]*\s*=\s*[-$]?[\d.,_]+\s*(?:#.*)?$/;
const SNAKE_ASSIGNMENT = /^\s*[a-z]+_[a-z_\d]*\s*=\s*[-$]?[\d.,]+\s*$/;

/** [start, end) of sentences (or enumerated lines) that end in "?": their numbers are givens. */
function questionSpans(text: string, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  const q = text.indexOf("?", from);
  if (q === -1 || q >= to) return out;
  const re = /(?:[^.!?\n]|[.!?](?![.!?]*(?:\s|$)))*(?:[.!?]+(?=\s|$)|\n|$)/y;
  re.lastIndex = from;
  while (re.lastIndex < to) {
    const start = re.lastIndex;
    const m = re.exec(text);
    if (!m || m[0].length === 0) {
      re.lastIndex = start + 1;
      continue;
    }
    const end = start + m[0].length;
    if (m[0].trimEnd().endsWith("?")) out.push([start, end]);
  }
  // A list item or a line that poses a problem ("2. Tom reads 20 pages a day. How many …?",
  // "Question: Sara has 10 pens … ?") is a given as a whole.
  const item =
    /^[ \t]*(?:[-*]\s*)?(?:\(?\d+[.)]|(?:\*\*)?(?:problem|question|example|q)\s*\d*\s*[:.](?:\*\*)?)[^\n]*\?[ \t]*$/gim;
  item.lastIndex = from;
  for (let m = item.exec(text); m && m.index < to; m = item.exec(text))
    out.push([m.index, m.index + m[0].length]);
  return out.sort((a, b) => a[0] - b[0]);
}

/** For each number (in order), whether it lies inside one of the spans (sorted by start). Linear. */
function insideSpans(nums: readonly NumberToken[], spans: readonly [number, number][]): boolean[] {
  const out: boolean[] = [];
  let k = 0;
  let reach = -1; // the furthest end among spans started so far
  for (const t of nums) {
    while (k < spans.length && spans[k][0] <= t.start) reach = Math.max(reach, spans[k++][1]);
    out.push(t.end <= reach);
  }
  return out;
}

/** Marks counting runs (5 or more consecutive integers, nothing but punctuation or a label between). */
function markCounting(text: string, nums: ReadNumber[]): void {
  let runStart = 0;
  const close = (end: number) => {
    if (end - runStart >= COUNTING_RUN) for (let k = runStart; k < end; k++) nums[k].nonAnswer ??= "counting";
  };
  for (let i = 1; i <= nums.length; i++) {
    const a = nums[i - 1]?.token;
    const b = nums[i]?.token;
    const next =
      b !== undefined &&
      Number.isInteger(a.value) &&
      b.value === a.value + 1 &&
      b.start - a.end <= 16 &&
      !/\d/.test(text.slice(a.end, b.start));
    if (!next) {
      close(i);
      runStart = i;
    }
  }
}

/**
 * Every number of text[from, to), with whether it is a result and why it cannot be the answer.
 * A text that stops mid-sentence (the token limit) has a cut-off tail: in its last, unfinished
 * sentence only a completed result ("= N", "is N", "which is N") counts once something was
 * derived before it, or whenever the text stops on an operator or a word such as "the" ("$105 +
 * $", "## Step 4: Determine the").
 */
export function readNumbers(text: string, from: number, to: number): ReadNumber[] {
  const tokens = scanNumbers(text, from, to);
  let textEnd = to;
  while (textEnd > from && /\s/.test(text[textEnd - 1])) textEnd--;
  const ctx: Context = {
    text,
    from,
    to,
    textEnd,
    clean: endsCleanly(text, from, to),
    annotated: text.lastIndexOf("<<", to) >= from,
    inCode: insideSpans(tokens, codeBlocks(text, from, to)),
    inQuestion: insideSpans(tokens, questionSpans(text, from, to)),
    lines: linesOf(text, tokens, from, to),
    results: [],
    codeLines: new Map(),
    variables: declaredVariables(text, from, to),
  };
  const nums: ReadNumber[] = tokens.map((token) => ({
    token,
    result: isResult(text, token, from, to),
    nonAnswer: null,
  }));
  ctx.results = nums.filter((n) => n.result).map((n) => n.token);
  for (let i = 0; i < nums.length; i++) nums[i].nonAnswer = whyNot(ctx, nums[i], i);
  if (!ctx.clean) markCutTail(text, nums, from, to);
  markCounting(text, nums);
  return nums;
}

interface Context {
  text: string;
  from: number;
  to: number;
  /** `to` less trailing white space. */
  textEnd: number;
  /** The text ends the way finished text does. */
  clean: boolean;
  /** It holds GSM8K calculator annotations. */
  annotated: boolean;
  inCode: boolean[];
  inQuestion: boolean[];
  lines: [number, number][];
  results: NumberToken[];
  /** Per line (and whether in a code block): whether it assigns a literal. */
  codeLines: Map<string, boolean>;
  /** Letters the text names as unknowns ("Let b be …"), besides x, y, z and n. */
  variables: Set<string>;
}

function whyNot(ctx: Context, n: ReadNumber, i: number): NonAnswer | null {
  const { text, from, to } = ctx;
  const t = n.token;
  const [lineStart, lineEnd] = ctx.lines[i];
  if (ctx.annotated && insideAnnotation(text, t, from)) return "annotation";
  if (isHeading(text, t, lineStart)) return "heading";
  if (codeConstantLine(ctx, i, lineStart, lineEnd)) return "code";
  if (ctx.inQuestion[i]) return "question";
  const glued = /^([a-z])(?![a-z])/i.exec(text.slice(t.end, t.end + 2))?.[1].toLowerCase();
  if (glued && ("xyzn".includes(glued) || ctx.variables.has(glued))) return "algebra";
  if (n.result)
    return t.end === ctx.textEnd && !ctx.clean && resultCutShort(text, t, from) ? "cut-off" : null;
  if (isOperand(text, t, from, to)) return "operand";
  if (t.end === ctx.textEnd && cutAtEnd(text, t, ctx.results, from)) return "cut-off";
  return null;
}

// "Let b be the number of blue marbles", "let s = the sheep", "where r represents …": a letter
// declared as an unknown, so "3b" is a coefficient, as "3x" is. Only declared letters count, since
// "100m" or "5h" are units.
const DECLARED = /\b(?:let|where)\s+([a-z])\s+(?:be|=|represents?|denotes?|stands? for)\b/gi;

function declaredVariables(text: string, from: number, to: number): Set<string> {
  const out = new Set<string>();
  DECLARED.lastIndex = from;
  for (let m = DECLARED.exec(text); m && m.index < to; m = DECLARED.exec(text)) out.add(m[1].toLowerCase());
  return out;
}

/** Whether the number's line assigns a literal in code ("price = 2"); one test per line. */
function codeConstantLine(ctx: Context, i: number, lineStart: number, lineEnd: number): boolean {
  const key = `${lineStart}:${ctx.inCode[i]}`;
  const known = ctx.codeLines.get(key);
  if (known !== undefined) return known;
  const line = lineEnd - lineStart <= 200 ? ctx.text.slice(lineStart, lineEnd) : "";
  const code = line.includes("=") && (ctx.inCode[i] ? LITERAL_ASSIGNMENT : SNAKE_ASSIGNMENT).test(line);
  ctx.codeLines.set(key, code);
  return code;
}

/** An unfinished "Since the sales tax is 8" or "If each box holds 12" states a premise, not a result. */
const PREMISE =
  /^[\s*_>-]*(?:since|because|as|if|when|whenever|given that|assuming|although|though|while|considering|provided)\b/i;

function markCutTail(text: string, nums: ReadNumber[], from: number, to: number): void {
  const tailStart = unfinishedSentenceStart(text, from, to);
  const premise = PREMISE.test(text.slice(tailStart, tailStart + 40));
  const named = (n: ReadNumber) =>
    n.result || (!(premise && n.token.start >= tailStart) && namedInProse(text, n.token));
  // A derived result before a number of the unfinished sentence makes that number suspect.
  let derived = endsMidExpression(text, from, to);
  for (const n of nums) {
    if (n.nonAnswer !== null) continue;
    const isNamed = named(n);
    if (n.token.start >= tailStart && !isNamed && derived) n.nonAnswer = "cut-off";
    else if (isNamed) derived = true;
  }
}

/** Inside GSM8K's `<<16-3-4=9>>` (annotations are short; look 40 characters either way). */
function insideAnnotation(text: string, t: NumberToken, from: number): boolean {
  const before = text.slice(Math.max(from, t.start - 40), t.start);
  const open = before.lastIndexOf("<<");
  if (open === -1 || before.lastIndexOf(">>") > open) return false;
  return text.slice(t.end, t.end + 40).includes(">>");
}
