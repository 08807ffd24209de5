import { dropTruncatedTail } from "./answer-region.js";
import { findCues, lastCueCut } from "./cues.js";
import { endsMidExpression } from "./cut-off.js";
import type { Derived } from "./derived.js";
import { boxedCandidates, extractAnswer, lastNumber } from "./extract.js";
import { firstLineAnswer } from "./first-line.js";
import { sameNumber } from "./gold.js";
import { BOX_COMMANDS_WITH_EATEN_ESCAPES, hasUnclosedBox } from "./latex.js";
import { type RefinedReading, readRefined } from "./refined.js";
import { repetitionTail } from "./repetition.js";
import type {
  Candidate,
  Confidence,
  ConfidenceLevel,
  ConfidenceOptions,
  Extraction,
  ExtractionWithConfidence,
  ExtractRule,
} from "./types.js";

// Rules where the model stated its answer as an answer; bold and last-number read a number the
// model may only have been working with.
const EXPLICIT: readonly ExtractRule[] = ["boxed", "first-line", "answer-cue"];
const RULE_TRUST: Record<ExtractRule, number> = {
  boxed: 1,
  "answer-cue": 0.95,
  "first-line": 0.9,
  bold: 0.8,
  "last-number": 0.6,
  none: 0,
};
const BANDS: Record<ConfidenceLevel, [number, number]> = {
  low: [0, 0.4],
  medium: [0.4, 0.7],
  high: [0.7, 1],
};

function toCandidate(e: Extraction | null): Candidate[] {
  return e && e.value !== null && e.rule !== "none" ? [{ rule: e.rule, value: e.value, span: e.span! }] : [];
}

const span = (t: { start: number; end: number }) => ({ start: t.start, end: t.end });

/** The part of every candidate list that does not depend on the mode. */
function withoutBoxParts(boxes: Candidate[], others: Candidate[], cutEnd: number | undefined): Candidate[] {
  // The 4 of `\frac{3}{4}` or the 500 of `12{,}500` is part of the box's value, not a rival.
  const inBox = (c: Candidate) => boxes.some((b) => b.span.start <= c.span.start && c.span.end <= b.span.end);
  return [...boxes, ...others.filter((c) => !inBox(c))].filter((c) => c.span.end !== cutEnd);
}

/** What each of the study's rules would read from the text, not only the winner. */
function studyCandidates(text: string): Candidate[] {
  const to = text.length;
  const cues = findCues(text, 0, to);
  const line = firstLineAnswer(text, 0, to);
  return withoutBoxParts(
    boxedCandidates(text, to).flatMap(toCandidate),
    [
      ...(line ? [{ rule: "first-line" as const, value: line.value, span: span(line) }] : []),
      ...cues.map((c) => ({ rule: "answer-cue" as const, value: c.number.value, span: span(c.number) })),
      ...toCandidate(lastNumber(text, to, false)),
    ],
    undefined,
  );
}

/**
 * What each refined rule would read, not only the winner: every stated answer (boxes and cues,
 * retracted or not), the first line, a bold number and the plain last number. A cue number cut
 * off by the token limit is no candidate. When the winner is the last-number rule, the plain
 * last number is not its rival: what that rule passed over is reported as `skipped` instead.
 */
function refinedCandidates(text: string, { seen, extraction }: RefinedReading): Candidate[] {
  const { to, boxes, cues, cut, line, bold } = seen;
  return withoutBoxParts(
    boxes.map((b) => ({ rule: "boxed" as const, value: b.value, span: b.span })),
    [
      ...(line ? [{ rule: "first-line" as const, value: line.token.value, span: span(line.token) }] : []),
      ...cues.map((c) => ({ rule: "answer-cue" as const, value: c.number.value, span: span(c.number) })),
      ...(bold ? [{ rule: "bold" as const, value: bold.value, span: span(bold) }] : []),
      ...(extraction.rule === "last-number" ? [] : toCandidate(lastNumber(text, to, true))),
    ],
    cut?.end,
  );
}

/** Signs in the text that generation was cut off by the token limit, or null. */
function truncationSeen(text: string, refined: boolean): string | null {
  if (dropTruncatedTail(text, 0, text.length) < text.length) return "the output ends mid-number";
  const cues = findCues(text, 0, text.length);
  if (lastCueCut(cues, text.length)) return "the output ends mid-number";
  const commands = refined ? BOX_COMMANDS_WITH_EATEN_ESCAPES : undefined;
  if (hasUnclosedBox(text, 0, text.length, commands)) return "the output ends inside an unclosed \\boxed{";
  // Refined mode also sees a text that stops on an operator, a bare "$" or a word like "the".
  return refined && endsMidExpression(text, 0, text.length) ? "the output stops mid-expression" : null;
}

const SKIP_REASON: Record<Derived["skipped"][number]["why"], string> = {
  heading: "a heading or list number",
  operand: "an operand of unfinished arithmetic",
  "cut-off": "cut off at the end",
  question: "a given of a question",
  counting: "a counting run",
  code: "a constant in code",
  algebra: "an algebraic coefficient",
  annotation: "a calculator annotation",
  restated: "restated after the result",
  check: "a check after the conclusion",
};

/** One line per kind of number the last-number rule passed over ("cut-off tail: …"). */
function skipReasons(skipped: Derived["skipped"], value: number | null): string[] {
  const byKind = new Map<string, string[]>();
  for (const s of skipped) {
    const list = byKind.get(s.why) ?? [];
    if (list.length < 3) list.push(s.token.digits);
    byKind.set(s.why, list);
  }
  const lead = value === null ? "nothing derived" : "passed over";
  return [...byKind].map(
    ([why, digits]) => `${lead}: ${digits.join(", ")} (${SKIP_REASON[why as keyof typeof SKIP_REASON]})`,
  );
}

function level(rule: ExtractRule, conflicts: number, damaged: boolean, doubtful: boolean): ConfidenceLevel {
  const explicit = EXPLICIT.includes(rule);
  if (rule === "none" || conflicts > 0 || doubtful || (damaged && !explicit)) return "low";
  return explicit && !damaged ? "high" : "medium";
}

/**
 * `extractAnswer` plus how far to trust it: the rule that fired, the candidates of other rules
 * that disagree, whether the output was truncated or degenerate, and a level (high / medium /
 * low) with a score that ranks items for human review. Criteria in the README ("Confidence").
 */
export function extractWithConfidence(
  text: string,
  options: ConfidenceOptions = {},
): ExtractionWithConfidence {
  const refined = (options.mode ?? "refined") === "refined";
  const reading = refined ? readRefined(text) : null;
  const extraction = reading?.extraction ?? extractAnswer(text, options);
  const skipped = reading?.skipped ?? [];
  const { value, rule } = extraction;
  const rivals = value === null ? [] : reading ? refinedCandidates(text, reading) : studyCandidates(text);
  const conflicts = rivals.filter((c) => !sameNumber(c.value, value));
  const seen = truncationSeen(text, refined);
  const truncated = options.truncated ?? seen !== null;
  const loop = repetitionTail(text);
  const degenerate = loop !== null;

  const reasons: string[] = [];
  if (rule === "none" && skipped.length === 0) reasons.push("no number found");
  else if (rule !== "none" && !EXPLICIT.includes(rule))
    reasons.push(`no stated answer: read by the ${rule} rule`);
  reasons.push(...skipReasons(skipped, value));
  const uncomputed = reading?.uncomputed ?? false;
  if (uncomputed) reasons.push(`no computation gives ${value}: it may restate a given`);
  const said = new Set<string>();
  for (const c of conflicts) {
    const line = `conflict: ${rule} reads ${value}, ${c.rule} reads ${c.value}`;
    if (!said.has(line)) reasons.push(line);
    said.add(line);
  }
  if (truncated) {
    reasons.push(`truncated: ${options.truncated ? "generation hit the token limit" : seen}`);
  }
  if (loop) {
    const chars = text.trimEnd().length - loop.start;
    reasons.push(`degenerate: the last ${chars} characters repeat a ${loop.period}-character unit`);
  }

  const lvl = level(rule, conflicts.length, truncated || degenerate, skipped.length > 0 || uncomputed);
  const explicitConflict = conflicts.some((c) => c.rule !== "last-number");
  const raw =
    RULE_TRUST[rule] *
    (explicitConflict ? 0.3 : conflicts.length > 0 ? 0.6 : 1) *
    (skipped.length > 0 || uncomputed ? 0.6 : 1) *
    (truncated ? 0.7 : 1) *
    (degenerate ? 0.7 : 1);
  const [lo, hi] = BANDS[lvl];
  const score = Math.round((lo + (hi - lo) * raw) * 1000) / 1000;
  const confidence: Confidence = { level: lvl, score, rule, conflicts, truncated, degenerate, reasons };
  return { ...extraction, confidence };
}
