import { evaluateArithmetic } from "./arithmetic.js";
import { scanNumbers } from "./numbers.js";
import { previousSignificant } from "./results.js";
import type { NumberToken } from "./types.js";

// How a text that the token limit cut off ends, and which of its last numbers cannot be
// trusted: "$105 + $", "## Step 4: Determine the", "is 0" cut from "0.45", "60+120= 1".

const FUNCTION_WORD =
  /\b(?:the|a|an|of|to|by|and|or|is|are|was|were|for|with|in|at|on|we|so|that|which|than|from|into|be|will|would|can|then|per|each|it|its|this|these|she|he|they|his|her|their|has|have|had|get|gets)$/i;

/** Whether text[from, to) ends the way finished text does: terminal punctuation or closing markup. */
export function endsCleanly(text: string, from: number, to: number): boolean {
  const tail = text.slice(Math.max(from, to - 40), to).trimEnd();
  const last = tail[tail.length - 1];
  if (last === undefined) return true;
  if (last === "$") return !/(?:^|[\s+\-*/×÷=(])\$$/.test(tail);
  // Not "%": "Since the sales tax is 8%" may be cut before its main clause as "is 8" may.
  return ".!?)]}*\"'`”’»".includes(last);
}

/** Whether the text stops on an operator, a bare "$" or a word such as "the" (the token limit). */
export function endsMidExpression(text: string, from: number, to: number): boolean {
  const tail = text.slice(Math.max(from, to - 40), to).trimEnd();
  if (tail === "") return false;
  const last = tail[tail.length - 1];
  if ("+-*/×÷=(,".includes(last)) return true;
  if (last === "$") return /(?:^|[\s+\-*/×÷=(])\$$/.test(tail);
  return FUNCTION_WORD.test(tail);
}

/** Where the last, unfinished sentence of the text starts. */
export function unfinishedSentenceStart(text: string, from: number, to: number): number {
  const floor = Math.max(from, to - 2000, text.lastIndexOf("\n", to - 1) + 1);
  for (let k = to - 2; k >= floor; k--) {
    if (!".!?".includes(text[k]) || !/\s/.test(text[k + 1])) continue;
    if (!/\b(?:Mr|Mrs|Ms|Dr|St|vs|etc|e\.g|i\.e)$/.test(text.slice(Math.max(from, k - 4), k))) return k + 1;
  }
  return floor;
}

/**
 * The final number, when the text stops right after it and it cannot be trusted whole: a lone
 * "0" (cut before its decimal point), a prefix of an earlier result ("18" after "= 185"), or the
 * operand of a verbal operator ("we divide by 1").
 */
export function cutAtEnd(
  text: string,
  tok: NumberToken,
  results: readonly NumberToken[],
  from: number,
): boolean {
  if (tok.digits === "0") return true;
  const prefix = (r: NumberToken) =>
    r !== tok && r.digits.length > tok.digits.length && r.digits.startsWith(tok.digits);
  if (results.some(prefix)) return true;
  return /\b(?:by|times|plus|minus|of|over)\s*\$?$/i.test(
    text.slice(Math.max(from, tok.start - 12), tok.start),
  );
}

/**
 * A result at the very end of a cut text whose digits are a strict prefix of what its left side
 * evaluates to: "60+120= 1" was going to be 180.
 */
export function resultCutShort(text: string, tok: NumberToken, from: number): boolean {
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
