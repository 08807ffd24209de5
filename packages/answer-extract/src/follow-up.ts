import { isDigit, scanNumbers } from "./numbers.js";

// Where a model that has answered goes on to pose and answer a question of its own ("In how
// many days will she make $100? 100 / 18 = 5.56 …", "What if the robe needed 3 bolts? …",
// "Let's try a harder one."). Answers to invented questions do not count, so refined mode ends
// the answer region there. A question counts as invented only after the model has derived
// something (an "= N", a box, an answer cue) and only when it asks for a quantity and more
// numbers follow it; verification questions ("Is that right?", "Wait, how many did she eat?")
// are not new questions. Socratic outputs, which ask a sub-question before each step ("How
// many eggs are left? 16 - 7 = 9"), are left alone.

// A sentence: up to ". ", "! ", "? " or a newline; the point of "9.5" does not end one.
const SENTENCE = /(?:[^.!?\n]|[.!?](?![.!?]*(?:\s|$)))*(?:[.!?]+(?=\s|$)|\n|$)/y;
const QUANTITY_QUESTION =
  /\b(?:how (?:many|much|long|far|old|often)|what (?:is|was|will|would|if|are|were)|what's|what (?:percent(?:age)?|fraction))\b|^[\s*_#>-]*which\b/i;
const NOT_NEW =
  /^[\s*_#>-]*(?:wait|hmm|but|so|is|are|does|did|do|can|could|should|right|let me|let's|now wait)\b/i;
const NEW_PROBLEM =
  /^[\s*_#>-]*(?:let'?s (?:try|do|solve) (?:another|a (?:harder|similar|different|new|bonus))|here(?:'s| is) (?:another|a (?:similar|new|harder|bonus))|(?:another|a new|a similar|a follow[- ]up|a bonus|the next|next) (?:problem|question|example|exercise)\b|follow[- ]?up(?: question)?\s*:|bonus(?: question)?\s*:|new problem\s*:|practice problems?\s*:)/i;
/** Words without which no sentence can start a new problem (a cheap test before the full scan). */
const NEW_PROBLEM_HINT = /another|follow[- ]?up|bonus|next|new problem|practice|similar|harder|different/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a backspace is how an eaten `\b` of `\boxed` arrives
const DERIVED = /=[ \t*$]*-?\d|\\boxed|\u0008oxed|\banswer(?:\s+is\b|[ \t*_]*:)/i;

/** A step or list item that asks ("Step 2: How much does she make?") is a sub-question of the solution. */
const STEP_ITEM = /^[\s*_#>-]*(?:(?:step|part)\s*\d+|\(?\d+[.):])/i;
const HYPOTHETICAL = /\b(?:would|if|suppose|instead)\b/i;

/**
 * Whether a quantity question after the answer was derived poses a question of the model's own:
 * it opens a paragraph ("… = $64.\n\nWhat is the average price per glass?"), is hypothetical
 * ("How much would she earn for 3 hours?") or brings a number the text has not had ("In how many
 * days will she make $100?"). A question inside the working, "She uses 3 + 4 = 7 eggs. How many
 * are left? 16 - 7 = 9.", or on a step line, is one of its sub-questions.
 */
function posesOwnQuestion(text: string, at: number, sentence: string, seen: ReadonlySet<number>): boolean {
  if (STEP_ITEM.test(sentence)) return false;
  if (/\n[ \t]*\n[ \t*_#>-]*$/.test(text.slice(Math.max(0, at - 40), at))) return true;
  return HYPOTHETICAL.test(sentence) || scanNumbers(sentence).some((n) => !seen.has(n.value));
}

function restOfLine(text: string, i: number): string {
  const nl = text.indexOf("\n", i);
  return text.slice(i, nl === -1 ? text.length : nl);
}

/** Start of an invented follow-up question or problem in text[0, to), or `to` when there is none. */
export function followUpStart(text: string, to: number): number {
  const head = text.slice(0, to);
  const derived = DERIVED.exec(head);
  if (!derived) return to;
  const rest = head.slice(derived.index);
  if (!rest.includes("?") && !NEW_PROBLEM_HINT.test(rest)) return to;
  let socratic = false;
  // Whether digits follow a sentence, by where the last digit is (a test of the rest of the text
  // per question is quadratic in a loop of questions).
  let lastDigit = to - 1;
  while (lastDigit >= 0 && !isDigit(text[lastDigit])) lastDigit--;
  const seen = new Set<number>();
  SENTENCE.lastIndex = 0;
  while (SENTENCE.lastIndex < to) {
    const start = SENTENCE.lastIndex;
    const m = SENTENCE.exec(text);
    if (!m || m[0].length === 0) {
      SENTENCE.lastIndex = start + 1;
      continue;
    }
    const end = Math.min(start + m[0].length, to);
    const sentence = text.slice(start, end);
    // A sentence that computes ("… = 7 bars?") is rhetorical, not a new question.
    const question =
      sentence.trimEnd().endsWith("?") && QUANTITY_QUESTION.test(sentence) && !sentence.includes("=");
    if (end <= derived.index) {
      // A sub-question answered on its own line before anything was derived: a Socratic output.
      if (question && /\d/.test(restOfLine(text, end))) socratic = true;
    } else if (start >= derived.index) {
      const at = start + (sentence.length - sentence.trimStart().length);
      if (NEW_PROBLEM.test(sentence)) return at;
      const asks = question && !socratic && !NOT_NEW.test(sentence) && lastDigit >= end;
      if (asks && posesOwnQuestion(text, at, sentence, seen)) return at;
    }
    for (const n of scanNumbers(sentence)) seen.add(n.value);
  }
  return to;
}
