import type { ExtractRule } from "@shrinkray/answer-extract";
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

export interface Gsm8kReport extends Accuracy {
  total: number;
  /** How often each extraction rule fired, and how often it was right. */
  byRule: Record<ExtractRule, RuleCount>;
  /** lm-evaluation-harness's scores on the same outputs, for comparison with published numbers. */
  harness: { strictMatch: Accuracy; flexibleExtract: Accuracy };
  failures: Failure[];
}

const RULES: ExtractRule[] = ["boxed", "first-line", "answer-cue", "bold", "last-number", "none"];

function accuracy(correct: number, total: number): Accuracy {
  return { correct, accuracy: total > 0 ? correct / total : 0, ci95: wilsonInterval(correct, total) };
}

export function buildReport(results: readonly ItemResult[]): Gsm8kReport {
  const byRule = Object.fromEntries(RULES.map((r) => [r, { count: 0, correct: 0 }])) as Record<
    ExtractRule,
    RuleCount
  >;
  let correct = 0;
  let strict = 0;
  let flexible = 0;
  const failures: Failure[] = [];
  for (const r of results) {
    byRule[r.rule].count++;
    if (r.correct) {
      correct++;
      byRule[r.rule].correct++;
    } else {
      failures.push({ id: r.id, gold: r.gold, predicted: r.predicted, rule: r.rule, output: r.output });
    }
    if (r.strictMatch) strict++;
    if (r.flexibleExtract) flexible++;
  }
  const n = results.length;
  return {
    total: n,
    ...accuracy(correct, n),
    byRule,
    harness: { strictMatch: accuracy(strict, n), flexibleExtract: accuracy(flexible, n) },
    failures,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ci = (a: Accuracy) => `${pct(a.accuracy)} [${pct(a.ci95.low)}, ${pct(a.ci95.high)}]`;

/** A Markdown summary: the scores table and the rule counts (failures stay in the JSON). */
export function formatReportMarkdown(report: Gsm8kReport): string {
  const lines = [
    `# GSM8K: ${report.correct}/${report.total} correct`,
    "",
    "| score | accuracy (95% Wilson CI) |",
    "|---|---|",
    `| answer-extract | ${ci(report)} |`,
    `| harness strict-match | ${ci(report.harness.strictMatch)} |`,
    `| harness flexible-extract | ${ci(report.harness.flexibleExtract)} |`,
    "",
    "| extraction rule | fired | correct |",
    "|---|---|---|",
    ...RULES.map((r) => `| ${r} | ${report.byRule[r].count} | ${report.byRule[r].correct} |`),
    "",
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
