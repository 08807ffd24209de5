import { writeFileAtomic } from "./atomic-write.js";
import type { ItemResult } from "./score.js";
import { categoryOf, MMLU_CATEGORIES, type MmluCategory } from "./subjects.js";
import { type Interval, wilsonInterval } from "./wilson.js";

export interface Accuracy {
  total: number;
  correct: number;
  accuracy: number;
  ci95: Interval;
}

export interface MmluReport extends Accuracy {
  /** Mean of the per-subject accuracies (some papers report this instead of the weighted one). */
  macroAccuracy: number;
  subjects: Record<string, Accuracy & { category: MmluCategory | null }>;
  /** Weighted by questions; only categories with at least one evaluated subject appear. */
  categories: Partial<Record<MmluCategory, Accuracy & { subjects: number }>>;
}

function accuracy(correct: number, total: number): Accuracy {
  return { total, correct, accuracy: total > 0 ? correct / total : 0, ci95: wilsonInterval(correct, total) };
}

/**
 * Per subject, per category and overall, each weighted by questions. A subject outside the 57
 * counts in the overall score and in no category.
 */
export function buildReport(results: readonly ItemResult[]): MmluReport {
  const counts = new Map<string, { correct: number; total: number }>();
  for (const r of results) {
    const c = counts.get(r.subject) ?? { correct: 0, total: 0 };
    c.total++;
    if (r.correct) c.correct++;
    counts.set(r.subject, c);
  }
  const subjects: MmluReport["subjects"] = {};
  const byCategory = new Map<MmluCategory, { correct: number; total: number; subjects: number }>();
  for (const [subject, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    const category = categoryOf(subject) ?? null;
    subjects[subject] = { ...accuracy(c.correct, c.total), category };
    if (category === null) continue;
    const agg = byCategory.get(category) ?? { correct: 0, total: 0, subjects: 0 };
    agg.correct += c.correct;
    agg.total += c.total;
    agg.subjects++;
    byCategory.set(category, agg);
  }
  const categories: MmluReport["categories"] = {};
  for (const cat of MMLU_CATEGORIES) {
    const agg = byCategory.get(cat);
    if (agg) categories[cat] = { ...accuracy(agg.correct, agg.total), subjects: agg.subjects };
  }
  const accs = Object.values(subjects).map((s) => s.accuracy);
  const correct = results.filter((r) => r.correct).length;
  return {
    ...accuracy(correct, results.length),
    macroAccuracy: accs.length > 0 ? accs.reduce((a, b) => a + b, 0) / accs.length : 0,
    subjects,
    categories,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const row = (name: string, a: Accuracy) =>
  `| ${name} | ${a.correct}/${a.total} | ${pct(a.accuracy)} [${pct(a.ci95.low)}, ${pct(a.ci95.high)}] |`;

/** A Markdown summary: overall, the categories, then every subject. */
export function formatReportMarkdown(report: MmluReport): string {
  return [
    `# MMLU: ${pct(report.accuracy)} (${report.correct}/${report.total}; subject mean ${pct(report.macroAccuracy)})`,
    "",
    "| group | correct | accuracy (95% Wilson CI) |",
    "|---|---|---|",
    row("**overall**", report),
    ...MMLU_CATEGORIES.flatMap((c) => (report.categories[c] ? [row(`**${c}**`, report.categories[c])] : [])),
    ...Object.entries(report.subjects).map(([s, a]) => row(s, a)),
    "",
  ].join("\n");
}

/** Writes `report` as JSON, atomically; a `.md` path gets the Markdown summary instead. */
export function writeReport(file: string, report: MmluReport): Promise<void> {
  const body = file.endsWith(".md") ? formatReportMarkdown(report) : `${JSON.stringify(report, null, 2)}\n`;
  return writeFileAtomic(file, body);
}
