import { writeFileAtomic } from "./atomic-write.js";
import type { PerturbTarget } from "./perturb.js";
import type { ItemResult } from "./score.js";
import { type Interval, wilsonInterval } from "./wilson.js";

export interface SquadReport {
  total: number;
  /** Percent, as the official script prints it: 100 × mean over questions. */
  exactMatch: number;
  f1: number;
  /** 95% Wilson interval of exact match, in percent. */
  exactMatchCi95: Interval;
  /** Set on perturbed runs: what was perturbed and how many items it actually changed. */
  perturbation?: { target: PerturbTarget; changed: number };
}

export function buildReport(results: readonly ItemResult[], perturbTarget?: PerturbTarget): SquadReport {
  const n = results.length;
  const em = results.reduce((s, r) => s + r.exactMatch, 0);
  const f1 = results.reduce((s, r) => s + r.f1, 0);
  const ci = wilsonInterval(em, n);
  return {
    total: n,
    exactMatch: n > 0 ? (100 * em) / n : 0,
    f1: n > 0 ? (100 * f1) / n : 0,
    exactMatchCi95: { low: 100 * ci.low, high: 100 * ci.high },
    ...(perturbTarget && {
      perturbation: { target: perturbTarget, changed: results.filter((r) => r.perturbed).length },
    }),
  };
}

export interface RobustnessReport {
  clean: SquadReport;
  perturbed: SquadReport;
  /** perturbed − clean, in points (negative: the perturbation hurt). */
  delta: { exactMatch: number; f1: number };
}

const row = (name: string, r: SquadReport) =>
  `| ${name} | ${r.total} | ${r.exactMatch.toFixed(2)} [${r.exactMatchCi95.low.toFixed(1)}, ${r.exactMatchCi95.high.toFixed(1)}] | ${r.f1.toFixed(2)} |`;

/** A Markdown table of one report, or of a clean/perturbed comparison. */
export function formatReportMarkdown(report: SquadReport | RobustnessReport): string {
  const head = ["| run | questions | EM (95% CI) | F1 |", "|---|---|---|---|"];
  if (!("clean" in report)) return [...head, row("squad", report), ""].join("\n");
  const { clean, perturbed, delta } = report;
  const target = perturbed.perturbation?.target ?? "?";
  return [
    ...head,
    row("clean", clean),
    row(`perturbed ${target}`, perturbed),
    `| Δ | | ${delta.exactMatch.toFixed(2)} | ${delta.f1.toFixed(2)} |`,
    "",
  ].join("\n");
}

/** Writes a report as JSON, atomically; a `.md` path gets the Markdown table instead. */
export function writeReport(file: string, report: SquadReport | RobustnessReport): Promise<void> {
  const body = file.endsWith(".md") ? formatReportMarkdown(report) : `${JSON.stringify(report, null, 2)}\n`;
  return writeFileAtomic(file, body);
}
