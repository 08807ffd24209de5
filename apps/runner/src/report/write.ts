import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../cli/atomic.js";
import { RunnerError } from "../cli/errors.js";
import { comparisonTable, metricNames, reportMarkdown } from "./markdown.js";
import type { Results } from "./results.js";
import { barChart, heatMap, lineChart, type Series } from "./svg.js";

export interface SensitivityPlot {
  rows: string[];
  cols: string[];
  /** Metric drop per cell. */
  drops: number[][];
}

/** The plots a person would rather look at than read, for whatever the results hold. */
export function plotsFor(r: Results): Record<string, string> {
  const plots: Record<string, string> = {};
  const withBits = r.variants.filter((v) => v.bitsPerWeight !== undefined);
  const accuracy = metricNames(r.variants).filter((n) =>
    r.variants.some((v) => v.metrics.find((m) => m.name === n)?.higherIsBetter),
  );
  if (withBits.length >= 2 && accuracy.length) {
    const series: Series[] = accuracy.map((name) => ({
      name,
      points: withBits.flatMap((v) => {
        const m = v.metrics.find((x) => x.name === name);
        return m ? [[v.bitsPerWeight!, m.value] as [number, number]] : [];
      }),
    }));
    plots["accuracy-vs-bits.svg"] = lineChart(
      "Accuracy vs bits per weight",
      "bits per weight",
      "accuracy",
      series,
    );
  }
  const curves: Series[] = r.variants.flatMap((v) =>
    Object.entries(v.curves ?? {}).map(([k, pts]) => ({ name: `${v.name} ${k}`, points: pts })),
  );
  if (curves.length) plots["loss-curves.svg"] = lineChart("Training loss", "step", "loss", curves);
  const pert = metricNames(r.variants).filter((n) => n.startsWith("rupbench perturbed:"));
  if (pert.length) {
    const cats = pert.map((n) => n.slice("rupbench perturbed:".length).trim());
    plots["robustness.svg"] = barChart(
      "Accuracy under each perturbation",
      "accuracy",
      cats,
      r.variants.map((v) => ({
        name: v.name,
        points: pert.flatMap((n, j) => {
          const m = v.metrics.find((x) => x.name === n);
          return m ? [[j, m.value] as [number, number]] : [];
        }),
      })),
    );
  }
  const s = r.sensitivity as { plot?: SensitivityPlot } | undefined;
  if (s?.plot)
    plots["sensitivity.svg"] = heatMap(
      "Metric drop when one unit is quantized",
      s.plot.rows,
      s.plot.cols,
      s.plot.drops,
    );
  return plots;
}

/** results.json, report.md and the SVG plots, each written atomically. */
export function writeRunReport(dir: string, r: Results): void {
  const plots = plotsFor(r);
  for (const [name, svg] of Object.entries(plots)) writeFileAtomic(join(dir, name), svg);
  writeJsonAtomic(join(dir, "results.json"), r);
  writeFileAtomic(join(dir, "report.md"), reportMarkdown(r, Object.keys(plots)));
}

export function readResults(dir: string): Results {
  const file = join(dir, "results.json");
  if (!existsSync(file)) throw new RunnerError(`${dir}: no results.json (is it a run directory?)`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Results;
  } catch (e) {
    throw new RunnerError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** `shrinkray report a b c`: one table over several runs (variants prefixed by their run). */
export function compareRuns(dirs: string[]): string {
  const all = dirs.flatMap((d) => {
    const r = readResults(d);
    return r.variants.map((v) => ({ ...v, name: dirs.length > 1 ? `${r.experiment}/${v.name}` : v.name }));
  });
  return comparisonTable(all);
}
