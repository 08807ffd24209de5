import { type ConfidenceLevel, type ExtractRule, sameNumber } from "@shrinkray/answer-extract";
import { writeFileAtomic } from "./atomic-write.js";
import type { ItemResult } from "./score.js";
import { type Interval, wilsonInterval } from "./wilson.js";

export interface RuleCount {
  count: number;
  correct: number;
}

export interface Accuracy {
  correct: number;
  accuracy: number;
  ci95: Interval;
}

export interface Failure {
  id: string;
  gold: number;
  predicted: number | null;
  rule: ExtractRule;
  output: string;
}

/** What a person's review of the uncertain extractions did to the score. */
export interface ReviewSummary {
  /** The review file, when the evaluation wrote one. */
  file?: string;
  /** Items at the reviewed confidence levels, before the `maxReview` cap. */
  candidates: number;
  /** Rows in the review file (the selection, plus earlier corrections outside it). */
  queued: number;
  /** Corrections applied. */
  reviewed: number;
  /** Corrections that changed the extracted value. */
  changed: number;
  /** Corrections not applied because the item's output has changed since. */
  stale: number;
  /** Accuracy of the automatic extraction alone, and with the corrections. */
  before: Accuracy;
  after: Accuracy;
}

export interface Gsm8kReport extends Accuracy {
  total: number;
  /** How often each extraction rule fired, and how often its automatic extraction was right. */
  byRule: Record<ExtractRule, RuleCount>;
  /** Items per confidence level, and how often their automatic extraction was right. */
  byConfidence: Record<ConfidenceLevel, RuleCount>;
  /** Present when corrections were read or a review file written; `accuracy` is then `after`. */
  review?: ReviewSummary;
  /** lm-evaluation-harness's scores on the same outputs, for comparison with published numbers. */
  harness: { strictMatch: Accuracy; flexibleExtract: Accuracy };
  /** Items still wrong after review, with the value scored. */
  failures: Failure[];
}

/** What `buildReport` cannot see in the results: the review file and its selection. */
export type ReviewContext = Pick<ReviewSummary, "file" | "candidates" | "queued" | "stale">;

const LEVELS: ConfidenceLevel[] = ["high", "medium", "low"];
const RULES: ExtractRule[] = ["boxed", "first-line", "answer-cue", "bold", "last-number", "none"];

function accuracy(correct: number, total: number): Accuracy {
  return { correct, accuracy: total > 0 ? correct / total : 0, ci95: wilsonInterval(correct, total) };
}

function counts<K extends string>(keys: readonly K[]): Record<K, RuleCount> {
  return Object.fromEntries(keys.map((k) => [k, { count: 0, correct: 0 }])) as Record<K, RuleCount>;
}

/**
 * Scores, rule and confidence counts, harness scores and failures. Results carrying a person's
 * correction (`review`) are scored with it; `byRule`, `byConfidence` and `review.before` use the
 * automatic extraction.
 */
export function buildReport(results: readonly ItemResult[], review?: ReviewContext): Gsm8kReport {
  const byRule = counts(RULES);
  const byConfidence = counts(LEVELS);
  let correct = 0;
  let autoCorrect = 0;
  let strict = 0;
  let flexible = 0;
  let reviewed = 0;
  let changed = 0;
  const failures: Failure[] = [];
  for (const r of results) {
    const auto = r.review ? r.review.autoCorrect : r.correct;
    for (const c of [byRule[r.rule], byConfidence[r.confidence.level]]) {
      c.count++;
      if (auto) c.correct++;
    }
    if (auto) autoCorrect++;
    if (r.review) {
      reviewed++;
      const { corrected, autoPredicted } = r.review;
      if (corrected === null ? autoPredicted !== null : !sameNumber(corrected, autoPredicted)) changed++;
    }
    if (r.correct) correct++;
    else failures.push({ id: r.id, gold: r.gold, predicted: r.predicted, rule: r.rule, output: r.output });
    if (r.strictMatch) strict++;
    if (r.flexibleExtract) flexible++;
  }
  const n = results.length;
  const report: Gsm8kReport = {
    total: n,
    ...accuracy(correct, n),
    byRule,
    byConfidence,
    harness: { strictMatch: accuracy(strict, n), flexibleExtract: accuracy(flexible, n) },
    failures,
  };
  if (review || reviewed > 0) {
    report.review = {
      ...(review?.file ? { file: review.file } : {}),
      candidates: review?.candidates ?? 0,
      queued: review?.queued ?? 0,
      reviewed,
      changed,
      stale: review?.stale ?? 0,
      before: accuracy(autoCorrect, n),
      after: accuracy(correct, n),
    };
  }
  return report;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ci = (a: Accuracy) => `${pct(a.accuracy)} [${pct(a.ci95.low)}, ${pct(a.ci95.high)}]`;

function reviewLines(review: ReviewSummary | undefined): string[] {
  if (!review) return [];
  const file = review.file ? ` in ${review.file}` : "";
  return [
    `Review: ${review.queued} items queued${file} (${review.candidates} at the reviewed levels); ` +
      `${review.reviewed} reviewed, ${review.changed} changed, ${review.stale} stale. ` +
      `Accuracy ${pct(review.before.accuracy)} → ${pct(review.after.accuracy)}.`,
    "",
  ];
}

/** A Markdown summary: scores, rule and confidence counts, review (failures stay in the JSON). */
export function formatReportMarkdown(report: Gsm8kReport): string {
  const lines = [
    `# GSM8K: ${report.correct}/${report.total} correct`,
    "",
    "| score | accuracy (95% Wilson CI) |",
    "|---|---|",
    ...(report.review
      ? [
          `| answer-extract, before review | ${ci(report.review.before)} |`,
          `| answer-extract, after review | ${ci(report.review.after)} |`,
        ]
      : [`| answer-extract | ${ci(report)} |`]),
    `| harness strict-match | ${ci(report.harness.strictMatch)} |`,
    `| harness flexible-extract | ${ci(report.harness.flexibleExtract)} |`,
    "",
    "| extraction rule | fired | correct |",
    "|---|---|---|",
    ...RULES.map((r) => `| ${r} | ${report.byRule[r].count} | ${report.byRule[r].correct} |`),
    "",
    "| extraction confidence | items | correct |",
    "|---|---|---|",
    ...LEVELS.map((l) => `| ${l} | ${report.byConfidence[l].count} | ${report.byConfidence[l].correct} |`),
    "",
    ...reviewLines(report.review),
    `${report.failures.length} failures.`,
    "",
  ];
  return lines.join("\n");
}

/** Writes `report` as JSON, atomically; a `.md` path gets the Markdown summary instead. */
export function writeReport(file: string, report: Gsm8kReport): Promise<void> {
  const body = file.endsWith(".md") ? formatReportMarkdown(report) : `${JSON.stringify(report, null, 2)}\n`;
  return writeFileAtomic(file, body);
}
