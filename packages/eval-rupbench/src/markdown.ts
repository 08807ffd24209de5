import type { HeadlineRow, LevelStats, RupReport } from "./report.js";
import type { Interval } from "./stats.js";

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : "n/a");
const withCI = (x: number, ci: Interval) => `${pct(x)} [${pct(ci.low)}, ${pct(ci.high)}]`;

function levelLine(l: LevelStats): string {
  return `| ${l.level} mean | | | | ${pct(l.accPerturbed)} | ${withCI(l.difference, l.differenceCI)} | ${withCI(l.pdr, l.pdrCI)} |`;
}

/** The report as markdown: one table per dataset (and all pooled), percentages with intervals. */
export function reportToMarkdown(report: RupReport): string {
  const out: string[] = [
    `# RUPBench robustness (${report.metric}${report.excludeDefective ? ", defective items excluded" : ""})`,
    "",
    `Intervals at ${Math.round(report.confidence * 100)}%: ${report.intervals} (${report.bootstrap.samples} replicates, seed ${report.bootstrap.seed}).`,
    "PDR is the Performance Drop Rate, 1 − acc_perturbed / acc_original; all figures in percent.",
  ];
  for (const d of [...report.datasets, report.overall]) {
    out.push(
      "",
      `## ${d.dataset === "all" ? "All datasets" : d.dataset} (n = ${d.n}, original accuracy ${withCI(d.accOriginal, d.accOriginalCI)})`,
      "",
      "| perturbation | level | n | acc original | acc perturbed | difference | PDR |",
      "|---|---|---:|---:|---:|---:|---:|",
    );
    for (const p of d.perturbations) {
      out.push(
        `| ${p.perturbation} | ${p.level} | ${p.n} | ${withCI(p.accOriginal, p.accOriginalCI)} | ${withCI(p.accPerturbed, p.accPerturbedCI)} | ${withCI(p.difference, p.differenceCI)} | ${withCI(p.pdr, p.pdrCI)} |`,
      );
    }
    for (const l of d.levels) out.push(levelLine(l));
    out.push(levelLine(d.mean));
  }
  return `${out.join("\n")}\n`;
}

/** The seed project's headline table: model, run, accuracy, adversarial accuracy, difference. */
export function headlineToMarkdown(rows: readonly HeadlineRow[]): string {
  const lines = [
    "| model | run | accuracy | adversarial accuracy | difference |",
    "|---|---|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.run} | ${pct(r.accuracy)} | ${pct(r.adversarialAccuracy)} | ${pct(r.difference)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
