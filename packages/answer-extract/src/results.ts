import type { NumberToken } from "./types.js";

// Which numbers of a working are results of arithmetic and which feed it. A careful grader
// reads a result ("= 18", "which is 18", "equals 50", "20 = A"), never an operand ("16 - 3",
// "(9 × 2)", "= 40 + 3 other pets").

const OPERATOR = "+-*/×÷·^";

const SKIPPED = new Set([" ", "\t", "$", "_", "\\"]);

/** Index of the first character before `i` that is not space, `$`, bold markup or an annotation. */
export function previousSignificant(text: string, i: number, from: number): number {
  let k = i - 1;
  for (;;) {
    while (k >= from && SKIPPED.has(text[k])) k--;
    if (k >= from + 1 && text[k] === "*" && text[k - 1] === "*") {
      k -= 2;
      continue;
    }
    if (k >= from + 1 && text[k] === ">" && text[k - 1] === ">") {
      // A GSM8K annotation "<<9*2=18>>" is short; look back a bounded way for its start (an
      // unbounded lastIndexOf made every ">>" without a "<<" rescan the text before it).
      const floor = Math.max(from, k - 60);
      const open = text.slice(floor, k).lastIndexOf("<<");
      if (open !== -1) {
        k = floor + open - 1;
        continue;
      }
    }
    return k;
  }
}

/** An arithmetic operator at i: "-" only before an operand ("16-year-old" is a word). */
function operatorAt(text: string, i: number): boolean {
  const ch = text[i];
  if (ch === "x") return /^x\s*[\d$(]/.test(text.slice(i, i + 3)) && /[\d)]\s*$/.test(text.slice(i - 3, i));
  if (ch === undefined || !OPERATOR.includes(ch)) return false;
  if (ch === "*") return text[i + 1] !== "*" && text[i - 1] !== "*";
  // At the very end ("41-"), the operand was cut off.
  if (ch === "-" || ch === "/") return /^.\s*(?:[\d$(.]|$)/.test(text.slice(i, i + 4));
  return true;
}

const UNIT_WORD = /([a-z]{1,12})[ \t]*/iy;

/** An operator after the number, possibly past one unit word ("12 apples × 5 bags", "3000 times"). */
export function operatorAfter(text: string, tok: NumberToken, to: number): boolean {
  let k = tok.end;
  while (k < to && (text[k] === " " || text[k] === "\t")) k++;
  if (k < to && operatorAt(text, k)) return true;
  UNIT_WORD.lastIndex = k;
  const m = UNIT_WORD.exec(text);
  if (!m) return false;
  if (/^(?:times|plus|minus)$/i.test(m[1])) return true;
  return UNIT_WORD.lastIndex < to && operatorAt(text, UNIT_WORD.lastIndex);
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
export function isResult(text: string, tok: NumberToken, from: number, to: number): boolean {
  if (/^[ \t]*=[ \t]*[a-z](?![\w(])(?![ \t]*[-+*/×(])/i.test(text.slice(tok.end, tok.end + 12))) return true;
  const k = previousSignificant(text, tok.start, from);
  if (k >= from && /[a-z]/i.test(text[k])) return RESULT_VERB.test(text.slice(Math.max(from, k - 24), k + 1));
  if (k < from || (text[k] !== "=" && text[k] !== "≈") || text[k - 1] === "=") return false;
  if (!operatorAfter(text, tok, to)) return true;
  const left = text.slice(Math.max(from, k - 40), k);
  return /\d[^\n]*$/.test(left.slice(left.search(/[^\n]*$/)));
}

/** Fed into arithmetic: next to an operator, or the left side of an equation ("18 = 9 × 2"). */
export function isOperand(text: string, tok: NumberToken, from: number, to: number): boolean {
  const before = previousSignificant(text, tok.start, from);
  if (before >= from && operatorAt(text, before)) return true;
  if (operatorAfter(text, tok, to)) return true;
  let j = tok.end;
  while (j < to && (text[j] === " " || text[j] === "\t")) j++;
  return text[j] === "=" && text[j + 1] !== "=";
}

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
  const before = text.slice(Math.max(0, tok.start - 30), tok.start);
  return (broad ? BROAD_RESULT_WORDS : STRICT_RESULT_WORDS).test(before);
}
