import { type NonAnswer, type ReadNumber, readNumbers } from "./non-answers.js";
import { namedInProse } from "./results.js";
import type { NumberToken } from "./types.js";

// With no stated answer, a careful grader reads the result of the last completed computation.
// That is the last number that can be an answer (non-answers.ts) with two exceptions, both
// about a model that reached its result and then kept writing:
// - it concluded in prose ("Therefore, Janet makes $18 every day.") and then only restated
//   givens ("She eats 3 eggs for breakfast …", "Her rate is $10 per hour"): the conclusion
//   stands. New work after a conclusion is an "= N" or a result named in prose with a value the
//   text has not had before; a restated given repeats one;
// - it went on to check itself or another quantity ("Let's check: …", "To verify, …", "We can
//   also find …"): the check is not the answer.
// None only when nothing was derived: every number is a heading, an operand, a question's
// given, a counting run, a code constant or cut off.

// Line-start markup in CONCLUSION and CHECK stops at the line's end: a class with newlines in it
// made every line of a run of blank lines rescan the rest of the run (quadratic; 100 KB of "\n"
// took 45 s).

/** A clause that concludes: "So, …", "Therefore …", ", so she makes …", "In total …". */
const CONCLUSION =
  /(?:^|[.!?:]\s+|\n[ \t\r*_#>-]*|[,;]\s+)(?:\*\*)?(?:so|therefore|thus|hence|in total|altogether|overall|in conclusion|as a result|this means|that means|finally|in all|consequently)\b(?![ \t]+(?:far|that)\b)/gi;
/** The start of a check of the work or of another quantity, once something was derived. */
const CHECK =
  /(?:^|[.!?]\s+|\n[ \t\r*_#>-]*)(?:\*\*)?(?:(?:let'?s|let us|let me|we can|to|i)\s+(?:also\s+)?(?:double[- ]?)?(?:check|verify|confirm)\b|(?:check|verification|double[- ]check|sanity check)\s*:|we can also (?:find|calculate|compute|work out|check)\b|i double[- ]?checked\b)/gi;

export interface Derived {
  token: NumberToken;
  /** Numbers after the one read that a plain last-number rule would have taken, and why not. */
  skipped: { token: NumberToken; why: NonAnswer | "restated" | "check" }[];
  /**
   * The number is a result ("= N", "makes $18") or what a conclusion concludes; otherwise no
   * computation in the text gives it, and it may only restate a given of the question.
   */
  computed: boolean;
}

interface Clause {
  start: number;
  end: number;
}

/** End of the sentence that starts at i. */
function clauseEnd(text: string, i: number, to: number): number {
  for (let k = i; k < to; k++) {
    if (text[k] === "\n" || (".!?".includes(text[k]) && (k + 1 >= to || /\s/.test(text[k + 1])))) return k;
  }
  return to;
}

function conclusions(text: string, from: number, to: number): Clause[] {
  const out: Clause[] = [];
  CONCLUSION.lastIndex = from;
  for (let m = CONCLUSION.exec(text); m && m.index < to; m = CONCLUSION.exec(text)) {
    const start = m.index + m[0].length;
    out.push({ start, end: clauseEnd(text, start, to) });
    CONCLUSION.lastIndex = Math.max(CONCLUSION.lastIndex, start);
  }
  return out;
}

/** A result: written after "=", or named as one in prose ("so she makes $18", "which is 9"). */
function resultLike(text: string, n: ReadNumber): boolean {
  return n.result || namedInProse(text, n.token, true);
}

/**
 * What a concluding clause concludes: its last "= N", else its last value named as a result
 * ("Therefore, she makes $18 by selling 9 eggs at $2 each"), else its last number that is not
 * "$2 each".
 */
function concluded(text: string, clause: Clause, kept: readonly ReadNumber[]): ReadNumber | null {
  const inside = within(kept, clause.start, clause.end);
  const results = inside.filter((n) => n.result);
  if (results.length > 0) return results[results.length - 1];
  const named = inside.filter((n) => namedInProse(text, n.token, true));
  if (named.length > 0) return named[named.length - 1];
  const values = inside.filter(
    (n) => !/^\s*(?:each|apiece)\b/i.test(text.slice(n.token.end, n.token.end + 10)),
  );
  return values[values.length - 1] ?? null;
}

/** Where a check starts after something was derived, or `to`. */
function checkStart(text: string, to: number, nums: readonly ReadNumber[]): number {
  const firstValue = nums.find((n) => n.nonAnswer === null);
  if (!firstValue) return to;
  CHECK.lastIndex = firstValue.token.end;
  const m = CHECK.exec(text);
  return m && m.index < to ? m.index : to;
}

/** The numbers (sorted by start) that lie in [start, end). */
function within(nums: readonly ReadNumber[], start: number, end: number): ReadNumber[] {
  let lo = 0;
  let hi = nums.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nums[mid].token.start < start) lo = mid + 1;
    else hi = mid;
  }
  const out: ReadNumber[] = [];
  for (let k = lo; k < nums.length && nums[k].token.end <= end; k++) out.push(nums[k]);
  return out;
}

/**
 * Whether a number after a conclusion is new work: an "= N", or a value named as a result
 * ("making $126") that the text has not had before. A restated given repeats a value.
 */
function computedAnew(text: string, n: ReadNumber, seen: ReadonlySet<number>): boolean {
  return n.result || (namedInProse(text, n.token, true) && !seen.has(n.token.value));
}

/**
 * What the last conclusion concludes, when nothing after it is computed anew (and when it holds
 * the last number itself: "So she makes $18 by selling 9 eggs" concludes 18); else null.
 */
function standingConclusion(
  text: string,
  all: readonly ReadNumber[],
  kept: readonly ReadNumber[],
  from: number,
  end: number,
): ReadNumber | null {
  const clauses = conclusions(text, from, end);
  for (let c = clauses.length - 1; c >= 0; c--) {
    const value = concluded(text, clauses[c], kept);
    if (!value) continue;
    const after = within(kept, clauses[c].end, end);
    const seen = new Set(all.filter((n) => n.token.end <= clauses[c].end).map((n) => n.token.value));
    return after.some((n) => computedAnew(text, n, seen)) ? null : value;
  }
  return null;
}

/**
 * The last result, when every number after it repeats a value the text already had: "9 * $2 =
 * $18 per day from selling 9 eggs", "0.5 * 30 = 15 miles at 30 mph" restate givens.
 */
function resultBeforeRestating(
  text: string,
  all: readonly ReadNumber[],
  kept: readonly ReadNumber[],
): ReadNumber | null {
  let r = kept.length - 1;
  while (r >= 0 && !resultLike(text, kept[r])) r--;
  if (r < 0 || r === kept.length - 1) return null;
  const seen = new Set(all.filter((n) => n.token.end <= kept[r].token.end).map((n) => n.token.value));
  return kept.slice(r + 1).every((n) => seen.has(n.token.value)) ? kept[r] : null;
}

/** The result of the last completed computation in text[from, to), or null when nothing was derived. */
export function lastDerived(text: string, from: number, to: number): Derived | null {
  const all = readNumbers(text, from, to);
  const end = checkStart(text, to, all);
  const kept = all.filter((n) => n.nonAnswer === null && n.token.end <= end);
  if (kept.length === 0) return null;
  const last = kept[kept.length - 1];
  const conclusion = standingConclusion(text, all, kept, from, end);
  const pick = conclusion ?? resultBeforeRestating(text, all, kept) ?? last;
  const restated = pick !== last;
  const skipped = all
    .filter((n) => n.token.start >= pick.token.end && n.token !== pick.token)
    .map((n) => ({
      token: n.token,
      why: n.nonAnswer ?? (n.token.end > end ? ("check" as const) : restated ? ("restated" as const) : null),
    }))
    .filter((s): s is Derived["skipped"][number] => s.why !== null);
  return { token: pick.token, skipped, computed: conclusion !== null || resultLike(text, pick) };
}
