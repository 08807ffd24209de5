import { answerRegionEnd, dropTruncatedTail } from "./answer-region.js";
import { boldAnswer } from "./bold.js";
import { lastCueCut } from "./cues.js";
import { type Derived, lastDerived } from "./derived.js";
import { type FirstLineAnswer, firstLineStated } from "./first-line-stated.js";
import { followUpStart } from "./follow-up.js";
import { sameNumber } from "./gold.js";
import { BOX_COMMANDS_WITH_EATEN_ESCAPES, boxedValue, findBoxed, restoreEatenEscapes } from "./latex.js";
import { readNumbers } from "./non-answers.js";
import { lastNumberWords } from "./number-words.js";
import { isResult, namedInProse } from "./results.js";
import { lastAdmittedError, type StatedAnswer, standingAnswer } from "./retraction.js";
import { findStatedCues, type StatedCue } from "./stated-cues.js";
import type { Extraction, ExtractRule, NumberToken, Span } from "./types.js";

// The refined rules, graded like a careful person: the model's answer is the first explicit
// answer to the question asked; later repetition or drift does not replace it, only an explicit
// retraction with a new value does; answers to questions the model invented do not count; with
// no stated answer, the result of the last completed computation; none only when nothing was
// derived. The order, and why, is in the README ("The rules").

/** A stated answer: a box or a cue, with the rule and span an extraction reports. */
export interface Statement extends StatedAnswer {
  rule: "boxed" | "answer-cue";
  span: Span;
  /** For a cue: the number it states (its start tells a first-line cue apart). */
  number?: NumberToken;
}

export interface RefinedReading {
  extraction: Extraction;
  /** For the last-number rule (or none): numbers after the one read that were passed over, and why. */
  skipped: Derived["skipped"];
  /** For the last-number rule: no computation in the text gives the number (it may restate a given). */
  uncomputed: boolean;
  /** What the rules saw, for `extractWithConfidence` to weigh the rivals of the winner. */
  seen: {
    /** End of the answer region. */
    to: number;
    boxes: Statement[];
    cues: StatedCue[];
    /** A last cue number cut off by the token limit, which is no candidate. */
    cut: NumberToken | null;
    line: FirstLineAnswer | null;
    bold: NumberToken | null;
  };
}

/** End of the part of the text that answers the prompt's question (refined mode). */
export function refinedRegionEnd(text: string): number {
  const end = followUpStart(text, answerRegionEnd(text));
  return dropTruncatedTail(text, 0, end);
}

/** Every box in text[0, to) that holds a number, eaten `\b` included, in order. */
export function statedBoxes(text: string, to: number): Statement[] {
  const out: Statement[] = [];
  for (const box of findBoxed(text, 0, to, BOX_COMMANDS_WITH_EATEN_ESCAPES)) {
    const value = boxedValue(restoreEatenEscapes(box.content));
    const span = { start: box.start, end: box.end };
    if (value !== null) out.push({ rule: "boxed", value, ...span, span, corrects: false });
  }
  return out;
}

/** Refined cues in text[0, to), less a last one whose number the token limit cut off ("… is 3"). */
export function statedCues(text: string, to: number): { cues: StatedCue[]; cut: NumberToken | null } {
  const cues = findStatedCues(text, 0, to);
  return lastCueCut(cues, to)
    ? { cues: cues.slice(0, -1), cut: cues[cues.length - 1].number }
    : { cues, cut: null };
}

function cueStatement(c: StatedCue): Statement {
  const span = { start: c.number.start, end: c.number.end };
  return {
    rule: "answer-cue",
    value: c.number.value,
    start: c.cueStart,
    end: c.number.end,
    span,
    corrects: c.corrects,
    number: c.number,
  };
}

/**
 * The result the model works out after admitting that its standing answer was wrong, when it
 * states nothing after that ("The answer is 20. Wait, I made a mistake. … so she makes 9 * 2 =
 * $18."): an explicit retraction with a new value. Only a result ("= N", "makes $18") counts,
 * not a number of the explanation ("that's incorrect because she also bakes with 4").
 */
function redoneAfterAdmittedError(
  text: string,
  standing: Statement,
  statements: readonly Statement[],
  to: number,
): Derived | null {
  const admitted = lastAdmittedError(text, standing.end, to);
  if (admitted === -1 || statements.some((s) => s.start > admitted)) return null;
  const redone = lastDerived(text, admitted, to);
  if (!redone || sameNumber(redone.token.value, standing.value)) return null;
  const result = isResult(text, redone.token, admitted, to) || namedInProse(text, redone.token, true);
  return result ? redone : null;
}

function extraction(rule: ExtractRule, tok: NumberToken | Statement): Extraction {
  const span = "span" in tok ? tok.span : { start: tok.start, end: tok.end };
  return { value: tok.value, rule, span };
}

/** Reads a model's output by the refined rules, with what the last-number rule passed over. */
export function readRefined(text: string): RefinedReading {
  const to = refinedRegionEnd(text);
  const boxes = statedBoxes(text, to);
  const { cues, cut } = statedCues(text, to);
  const line = firstLineStated(text, 0, to, cues);
  const bold = boldAnswer(text, 0, to);
  const seen = { to, boxes, cues, cut, line, bold };
  const read = (e: Extraction, skipped: Derived["skipped"] = [], uncomputed = false): RefinedReading => ({
    extraction: e,
    skipped,
    uncomputed,
    seen,
  });
  // A box is the model's formal answer and wins over cues; otherwise the first cue. Either
  // stands unless explicitly retracted. A bare first-line number comes after both: a lone "1"
  // or "A) 200" on line 1 is weaker than a later "The final answer is 260".
  const statements = [...boxes, ...cues.map(cueStatement)].sort((a, b) => a.start - b.start);
  const first = boxes[0] ?? statements[0];
  if (first) {
    const later = statements.filter((s) => s.start >= first.end);
    const standing = standingAnswer(text, first, later);
    const redone = redoneAfterAdmittedError(text, standing, statements, to);
    if (redone) return read(extraction("last-number", redone.token), redone.skipped);
    const onFirstLine = line?.labelled && standing.number?.start === line.token.start;
    return read(extraction(onFirstLine ? "first-line" : standing.rule, standing));
  }
  if (line) return read(extraction("first-line", line.token));
  if (bold) return read(extraction("bold", bold));
  const derived = lastDerived(text, 0, to);
  if (derived) return read(extraction("last-number", derived.token), derived.skipped, !derived.computed);
  if (!/\d/.test(text.slice(0, to))) {
    const word = lastNumberWords(text, 0, to);
    if (word)
      return read({ value: word.value, rule: "last-number", span: { start: word.start, end: word.end } });
  }
  const passedOver = readNumbers(text, 0, to).flatMap((n) =>
    n.nonAnswer ? [{ token: n.token, why: n.nonAnswer }] : [],
  );
  return read({ value: null, rule: "none" }, passedOver);
}
