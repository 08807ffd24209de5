import { evaluateArithmetic } from "./arithmetic.js";
import { scanNumbers } from "./numbers.js";
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
const OPERATOR = "+-*/×÷·^";
const FUNCTION_WORD =
  /\b(?:the|a|an|of|to|by|and|or|is|are|was|were|for|with|in|at|on|we|so|that|which|than|from|into|be|will|would|can|then|per|each|it|its|this|these|she|he|they|his|her|their|has|have|had|get|gets)$/i;
const COUNTING_RUN = 5;

/**
 * A number named as a result in prose. Strictly ("is 18", "which is 18", "Total: 18", "leaving
 * 9"), for an unfinished last sentence, where "makes 2" is as likely a given; broadly (also
 * "making $18", "earns 18", "gets 18"), to tell new work from restating after a conclusion.
 */
const STRICT_RESULT_WORDS =
  /\b(?:is|was|which is|that is|that's|totals?|totaling|total of|comes to|equals|leaving|leaves|left with|has left|have left)\s*:?\s*(?:a total of\s*)?\$?$/i;
const BROAD_RESULT_WORDS =
  /\b(?:is|was|which is|that is|that's|totals?|totaling|total of|comes to|equals|leaving|leaves|left with|has left|have left|making|makes|earning|earns|giving|gives|gets|getting|receives|will have)\s*:?\s*(?:a total of\s*)?\$?$/i;

/** Whether a number is named as a result in prose ("which is 18"; broadly also "making $18"). */
export function namedInProse(text: string, tok: NumberToken, broad = false): boolean {
  return (broad ? BROAD_RESULT_WORDS : STRICT_RESULT_WORDS).test(
    text.slice(Math.max(0, tok.start - 30), tok.start),
  );
}

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

/** Index of the first character before `i` that is not space, `$`, bold markup or an annotation. */
function previousSignificant(text: string, i: number, from: number): number {
  let k = i - 1;
  for (;;) {
    while (k >= from && /[ \t$_\\]/.test(text[k])) k--;
    if (k >= from + 1 && text[k] === "*" && text[k - 1] === "*") {
      k -= 2;
      continue;
    }
    if (k >= from + 1 && text[k] === ">" && text[k - 1] === ">") {
      const open = text.lastIndexOf("<<", k);
      if (open >= from) {
        k = open - 1;
        continue;
      }
    }
    return k;
  }
}

/** Words that state a result the way "=" does: "equals 50", "which rounds down to 33%". */
const RESULT_VERB =
  /\b(?:equals|equal to|is equal to|rounds?(?: down| up)? to|rounded(?: down| up)? to)[ \t]*\$?$/i;

/**
 * Written right after "=" (or "≈", "equals", "rounds down to"), or solved for a variable ("20 =
 * A"). When arithmetic goes on after it ("= 40 + 3 other pets", "used = 3 + 4"), it is a result
 * only if something was computed on the left of the "=" ("60 + 45 = 105 + 12"); a name being
 * defined ("Total =", "used =") makes it an operand.
 */
function isResult(text: string, tok: NumberToken, from: number, to: number): boolean {
  if (/^[ \t]*=[ \t]*[a-z](?![\w(])(?![ \t]*[-+*/×(])/i.test(text.slice(tok.end, tok.end + 12))) return true;
  const k = previousSignificant(text, tok.start, from);
  if (k >= from && /[a-z]/i.test(text[k])) return RESULT_VERB.test(text.slice(Math.max(from, k - 24), k + 1));
  if (k < from || (text[k] !== "=" && text[k] !== "≈") || text[k - 1] === "=") return false;
  if (!operatorAfter(text, tok, to)) return true;
  const left = text.slice(Math.max(from, k - 40), k);
  return /\d[^\n]*$/.test(left.slice(left.search(/[^\n]*$/)));
}

/** An arithmetic operator at i: "-" only before an operand ("16-year-old" is a word). */
function operatorAt(text: string, i: number): boolean {
  const ch = text[i];
  if (ch === "x") return /^x\s*[\d$(]/.test(text.slice(i, i + 3)) && /[\d)]\s*$/.test(text.slice(i - 3, i));
  if (!OPERATOR.includes(ch) || ch === undefined) return false;
  if (ch === "*") return text[i + 1] !== "*" && text[i - 1] !== "*";
  // At the very end ("41-"), the operand was cut off.
  if (ch === "-" || ch === "/") return /^.\s*(?:[\d$(.]|$)/.test(text.slice(i, i + 4));
  return true;
}

/** An operator after the number, possibly past one unit word ("12 apples × 5 bags", "3000 times"). */
const UNIT_WORD = /([a-z]{1,12})[ \t]*/iy;

function operatorAfter(text: string, tok: NumberToken, to: number): boolean {
  let k = tok.end;
  while (k < to && (text[k] === " " || text[k] === "\t")) k++;
  if (k < to && operatorAt(text, k)) return true;
  UNIT_WORD.lastIndex = k;
  const m = UNIT_WORD.exec(text);
  if (!m) return false;
  if (/^(?:times|plus|minus)$/i.test(m[1])) return true;
  return UNIT_WORD.lastIndex < to && operatorAt(text, UNIT_WORD.lastIndex);
}

function isOperand(text: string, tok: NumberToken, from: number, to: number): boolean {
  const before = previousSignificant(text, tok.start, from);
  if (before >= from && operatorAt(text, before)) return true;
  if (operatorAfter(text, tok, to)) return true;
  // The left side of an equation ("18 = 9 × 2").
  let j = tok.end;
  while (j < to && (text[j] === " " || text[j] === "\t")) j++;
  return text[j] === "=" && text[j + 1] !== "=";
}

function isHeading(text: string, tok: NumberToken, lineStart: number): boolean {
  if (/\bstep\s*$/i.test(text.slice(Math.max(lineStart, tok.start - 8), tok.start))) return true;
  if (tok.start - lineStart > 40) return false;
  const before = text.slice(lineStart, tok.start);
  const after = text.slice(tok.end, tok.end + 4);
  if (LABEL.test(before)) return true;
  if (/^[\s*>_-]*#+\s*$/.test(before) && (before.endsWith("#") || /^[.:)]/.test(after))) return true;
  if (/^[\s*>_-]*\($/.test(before) && after.startsWith(")")) return true;
  return /^[\s*>_-]*$/.test(before) && /^[.):](?:\*\*)?[ \t]+\S/.test(after);
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
  // A list item that poses a problem ("2. Tom reads 20 pages a day. How many …?") is a given as a whole.
  const item =
    /^[ \t]*(?:[-*]\s*)?(?:\(?\d+[.)]|(?:problem|question|example)\s*\d+\s*[:.])[^\n]*\?[ \t]*$/gim;
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

/** Whether text[from, to) ends the way finished text does: terminal punctuation or closing markup. */
function endsCleanly(text: string, from: number, to: number): boolean {
  const tail = text.slice(Math.max(from, to - 40), to).trimEnd();
  const last = tail[tail.length - 1];
  if (last === undefined) return true;
  if (last === "$") return !/(?:^|[\s+\-*/×÷=(])\$$/.test(tail);
  return ".!?)]}*\"'`%”’»".includes(last);
}

/** Whether the text stops mid-expression or mid-sentence at `to` (the token limit, most likely). */
export function endsMidExpression(text: string, from: number, to: number): boolean {
  const tail = text.slice(Math.max(from, to - 40), to).trimEnd();
  if (tail === "") return false;
  const last = tail[tail.length - 1];
  if ("+-*/×÷=(,".includes(last)) return true;
  if (last === "$") return /(?:^|[\s+\-*/×÷=(])\$$/.test(tail);
  return FUNCTION_WORD.test(tail);
}

/**
 * The final number, when the text stops right after it and it cannot be trusted whole: a lone
 * "0" (cut before its decimal point), a prefix of an earlier result ("18" after "= 185"), or the
 * operand of a verbal operator ("we divide by 1").
 */
function cutAtEnd(text: string, tok: NumberToken, results: NumberToken[], from: number): boolean {
  if (tok.digits === "0") return true;
  if (
    results.some((r) => r !== tok && r.digits.length > tok.digits.length && r.digits.startsWith(tok.digits))
  ) {
    return true;
  }
  return /\b(?:by|times|plus|minus|of|over)\s*\$?$/i.test(
    text.slice(Math.max(from, tok.start - 12), tok.start),
  );
}

/**
 * A result at the very end of a text that stops mid-sentence, whose digits are a strict prefix
 * of what its left side evaluates to: "60+120= 1" was going to be 180.
 */
function resultCutShort(text: string, tok: NumberToken, from: number): boolean {
  const eq = previousSignificant(text, tok.start, from);
  let start = eq;
  while (start > Math.max(from, eq - 80) && !/[\n=:;]/.test(text[start - 1])) start--;
  // The longest arithmetic that ends at the "=": "they had 10 apples + 20 apples" → "10 apples + 20 apples".
  let value: number | null = null;
  for (const n of scanNumbers(text, start, eq)) {
    value = evaluateArithmetic(text.slice(n.start, eq));
    if (value !== null) break;
  }
  if (value === null) return false;
  const digits = String(Math.round(Math.abs(value) * 1e6) / 1e6);
  return digits.length > tok.digits.length && digits.startsWith(tok.digits.replaceAll(",", ""));
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
 * sentence only a completed result ("= N", "is N", "making N", a "So …" clause) counts, once
 * something was derived before it, or whenever the text stops on an operator or a word such as
 * "the" ("$105 + $", "## Step 4: Determine the").
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
}

function whyNot(ctx: Context, n: ReadNumber, i: number): NonAnswer | null {
  const { text, from, to } = ctx;
  const t = n.token;
  const [lineStart, lineEnd] = ctx.lines[i];
  if (ctx.annotated && insideAnnotation(text, t, from)) return "annotation";
  if (isHeading(text, t, lineStart)) return "heading";
  if (lineEnd - lineStart <= 200) {
    const line = text.slice(lineStart, lineEnd);
    if (line.includes("=") && (ctx.inCode[i] ? LITERAL_ASSIGNMENT : SNAKE_ASSIGNMENT).test(line))
      return "code";
  }
  if (ctx.inQuestion[i]) return "question";
  if (/^[xyzn](?![a-z])/i.test(text.slice(t.end, t.end + 2))) return "algebra";
  if (n.result)
    return t.end === ctx.textEnd && !ctx.clean && resultCutShort(text, t, from) ? "cut-off" : null;
  if (isOperand(text, t, from, to)) return "operand";
  if (t.end === ctx.textEnd && cutAtEnd(text, t, ctx.results, from)) return "cut-off";
  return null;
}

function markCutTail(text: string, nums: ReadNumber[], from: number, to: number): void {
  const tailStart = Math.max(text.lastIndexOf("\n", to - 1) + 1, lastSentenceBreak(text, from, to));
  const named = (n: ReadNumber) => n.result || namedInProse(text, n.token);
  // A derived result before a number of the unfinished sentence makes that number suspect.
  let derived = endsMidExpression(text, from, to);
  for (const n of nums) {
    if (n.nonAnswer !== null) continue;
    if (n.token.start >= tailStart && !named(n) && derived) n.nonAnswer = "cut-off";
    else if (named(n)) derived = true;
  }
}

/** Inside GSM8K's `<<16-3-4=9>>` (annotations are short; look 40 characters either way). */
function insideAnnotation(text: string, t: NumberToken, from: number): boolean {
  const before = text.slice(Math.max(from, t.start - 40), t.start);
  const open = before.lastIndexOf("<<");
  if (open === -1 || before.lastIndexOf(">>") > open) return false;
  return text.slice(t.end, t.end + 40).includes(">>");
}

/** Offset just past the last sentence break (". ", "! ", "? ") of the last line before `to`. */
function lastSentenceBreak(text: string, from: number, to: number): number {
  const floor = Math.max(from, to - 2000, text.lastIndexOf("\n", to - 1));
  for (let k = to - 2; k >= floor; k--) {
    if (!".!?".includes(text[k]) || !/\s/.test(text[k + 1])) continue;
    if (!/\b(?:Mr|Mrs|Ms|Dr|St|vs|etc|e\.g|i\.e)$/.test(text.slice(Math.max(from, k - 4), k))) return k + 1;
  }
  return floor;
}
