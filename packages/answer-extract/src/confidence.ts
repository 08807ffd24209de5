import { answerRegionEnd, dropTruncatedTail } from "./answer-region.js";
import { boldAnswer } from "./bold.js";
import { findCues } from "./cues.js";
import { boxedCandidates, extractAnswer, lastCueCut, lastNumber } from "./extract.js";
import { firstLineAnswer } from "./first-line.js";
import { sameNumber } from "./gold.js";
import { hasUnclosedBox } from "./latex.js";
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

/** What every rule would read from text[0, to), not only the winner. */
function candidates(text: string, to: number, refined: boolean): Candidate[] {
  const cues = findCues(text, 0, to);
  // A cue's number cut off by the token limit ("… The answer is 3") is no candidate, under any rule.
  const cut = refined && lastCueCut(cues, to) ? cues[cues.length - 1].number : null;
  const kept = cut ? cues.slice(0, -1) : cues;
  const line = firstLineAnswer(text, 0, to, refined);
  const bold = refined ? boldAnswer(text, 0, to) : null;
  const span = (t: { start: number; end: number }) => ({ start: t.start, end: t.end });
  const boxes = boxedCandidates(text, to).flatMap(toCandidate);
  // The 4 of `\frac{3}{4}` or the 500 of `12{,}500` is part of the box's value, not a rival.
  const inBox = (c: Candidate) =>
    c.rule !== "boxed" && boxes.some((b) => b.span.start <= c.span.start && c.span.end <= b.span.end);
  return [
    ...boxes,
    ...(line ? [{ rule: "first-line" as const, value: line.value, span: span(line) }] : []),
    ...kept.map((c) => ({ rule: "answer-cue" as const, value: c.number.value, span: span(c.number) })),
    ...(bold ? [{ rule: "bold" as const, value: bold.value, span: span(bold) }] : []),
    ...toCandidate(lastNumber(text, to, refined)),
  ].filter((c) => c.span.end !== cut?.end && !inBox(c));
}

/** Signs in the text that generation was cut off by the token limit, or null. */
function truncationSeen(text: string): string | null {
  if (dropTruncatedTail(text, 0, text.length) < text.length) return "the output ends mid-number";
  const cues = findCues(text, 0, text.length);
  if (lastCueCut(cues, text.length)) return "the output ends mid-number";
  return hasUnclosedBox(text) ? "the output ends inside an unclosed \\boxed{" : null;
}

function level(rule: ExtractRule, conflicts: number, damaged: boolean): ConfidenceLevel {
  const explicit = EXPLICIT.includes(rule);
  if (rule === "none" || conflicts > 0 || (damaged && !explicit)) return "low";
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
  const extraction = extractAnswer(text, options);
  const { value, rule } = extraction;
  const to = refined ? dropTruncatedTail(text, 0, answerRegionEnd(text)) : text.length;
  const conflicts =
    value === null ? [] : candidates(text, to, refined).filter((c) => !sameNumber(c.value, value));
  const seen = truncationSeen(text);
  const truncated = options.truncated ?? seen !== null;
  const loop = repetitionTail(text);
  const degenerate = loop !== null;

  const reasons: string[] = [];
  if (rule === "none") reasons.push("no number found");
  else if (!EXPLICIT.includes(rule)) reasons.push(`no stated answer: read by the ${rule} rule`);
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

  const lvl = level(rule, conflicts.length, truncated || degenerate);
  const explicitConflict = conflicts.some((c) => c.rule !== "last-number");
  const raw =
    RULE_TRUST[rule] *
    (explicitConflict ? 0.3 : conflicts.length > 0 ? 0.6 : 1) *
    (truncated ? 0.7 : 1) *
    (degenerate ? 0.7 : 1);
  const [lo, hi] = BANDS[lvl];
  const score = Math.round((lo + (hi - lo) * raw) * 1000) / 1000;
  const confidence: Confidence = { level: lvl, score, rule, conflicts, truncated, degenerate, reasons };
  return { ...extraction, confidence };
}
