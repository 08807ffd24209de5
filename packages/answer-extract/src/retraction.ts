import { sameNumber } from "./gold.js";

// The first stated answer stands: models often restate it, drift ("The answer is 16. … The
// answer is 20."), negate a wrong one or answer a question of their own afterwards, and in the
// graded sample, whenever the first and last cue differed, the first was right. Only an explicit
// retraction replaces it: "Wait, … Actually, the answer is 540.", "I made a mistake: … The correct
// answer is 70000." A retraction is a marker between the standing answer and a later stated
// answer with another value (or a cue that itself says "correct answer").

const RETRACTION =
  /\b(?:wait\s*[,.!:\u2014-]|wait a (?:second|minute|moment)\b|hold on\b|actually\b|correction\b|oops\b|i made (?:a|an) (?:mistake|error)|my (?:mistake|apologies|bad)\b|i apologi[sz]e|(?:that|this)(?:'s| is| was) (?:incorrect|wrong|not (?:right|correct))|i was wrong|let me (?:re-?calculate|re-?check|correct|re-?do|re-?evaluate|reconsider)|on second thought|however,)/gi;

export interface StatedAnswer {
  value: number;
  start: number;
  end: number;
  /** The statement itself says it corrects an earlier one ("the correct answer is"). */
  corrects: boolean;
}

/** A marker that opens a hypothetical ("However, if she also sold …") retracts nothing. */
const HYPOTHETICAL = /^[\s,]*(?:if|suppose|supposing|assuming|what if|in case)\b/i;

/** Offsets of retraction markers in text[from, to), in order. */
function retractionMarkers(text: string, from: number, to: number): number[] {
  const out: number[] = [];
  RETRACTION.lastIndex = from;
  for (let m = RETRACTION.exec(text); m && m.index < to; m = RETRACTION.exec(text)) {
    const after = m.index + m[0].length;
    if (!HYPOTHETICAL.test(text.slice(after, after + 16))) out.push(m.index);
  }
  return out;
}

// Markers that say the answer given was wrong, not merely that the model pauses ("Wait, let me
// make sure") or apologises for "the confusion" before recapping its steps: after one, the value the model then works out replaces the answer even when it
// is not stated again ("The answer is 20. Wait, I made a mistake: … 9 * 2 = $18.").
const ADMITTED_ERROR =
  /\b(?:i made (?:a|an) (?:mistake|error)|my (?:mistake|bad)\b|i apologi[sz]e for (?:the|my|that) (?:mistake|error)|oops\b|correction\b|i was wrong|(?:that|this)(?:'s| is| was) (?:incorrect|wrong|not (?:right|correct)))/gi;

/** Where the text last admits, in text[from, to), that an answer was wrong; -1 when it does not. */
export function lastAdmittedError(text: string, from: number, to: number): number {
  let last = -1;
  ADMITTED_ERROR.lastIndex = from;
  for (let m = ADMITTED_ERROR.exec(text); m && m.index < to; m = ADMITTED_ERROR.exec(text)) last = m.index;
  return last;
}

/**
 * The answer that stands, starting from `first`: a later statement replaces it only when it
 * gives another value and a retraction comes between them (restating the same value moves
 * the point a retraction must follow). `later` holds the statements after `first`, in order.
 */
export function standingAnswer<T extends StatedAnswer>(text: string, first: T, later: readonly T[]): T {
  if (later.length === 0) return first;
  const markers = retractionMarkers(text, first.end, later[later.length - 1].start);
  let standing = first;
  let since = first.end;
  let k = 0;
  for (const next of later) {
    if (next.start < since) continue;
    while (k < markers.length && markers[k] < since) k++;
    const retracted = k < markers.length && markers[k] < next.start;
    if (sameNumber(next.value, standing.value)) since = next.end;
    else if (retracted || next.corrects) {
      standing = next;
      since = next.end;
    }
  }
  return standing;
}
