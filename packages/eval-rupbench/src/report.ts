import {
  LEVEL_OF,
  PERTURBATION_LEVELS,
  PERTURBATIONS,
  type Perturbation,
  type PerturbationLevel,
} from "./perturbation-kinds.js";
import type { ScoredItem, VariantScore } from "./score.js";
import { bootstrapWeights, type Interval, percentileInterval, wilsonInterval } from "./stats.js";

export interface ReportOptions {
  /** `acc` (default) or lm-eval's length-normalised `acc_norm` (log-likelihood runs only). */
  metric?: "acc" | "acc_norm";
  /** Leave out, per perturbation, the items whose data is defective for it (no-op, bad herring). */
  excludeDefective?: boolean;
  /** Confidence level of every interval (default 0.95). */
  confidence?: number;
  /** Paired bootstrap replicates for differences, PDRs and level means (default 1000). */
  bootstrapSamples?: number;
  bootstrapSeed?: number | string;
}

export interface PerturbationStats {
  perturbation: Perturbation;
  level: PerturbationLevel;
  /** Items compared (original and perturbed both scored, and not excluded). */
  n: number;
  excluded: number;
  accOriginal: number;
  accOriginalCI: Interval;
  accPerturbed: number;
  accPerturbedCI: Interval;
  /** accOriginal − accPerturbed on the same items. */
  difference: number;
  differenceCI: Interval;
  /** Performance Drop Rate, 1 − accPerturbed / accOriginal (NaN, null in JSON, when accOriginal is 0). */
  pdr: number;
  pdrCI: Interval;
}

/** Unweighted means over a level's perturbations (or all of them), as the benchmark averages. */
export interface LevelStats {
  level: PerturbationLevel | "all";
  perturbations: Perturbation[];
  accPerturbed: number;
  difference: number;
  differenceCI: Interval;
  pdr: number;
  pdrCI: Interval;
}

export interface DatasetReport {
  dataset: string;
  n: number;
  accOriginal: number;
  accOriginalCI: Interval;
  perturbations: PerturbationStats[];
  levels: LevelStats[];
  mean: LevelStats;
}

export interface RupReport {
  metric: "acc" | "acc_norm";
  excludeDefective: boolean;
  confidence: number;
  /** How intervals were computed, so a reader of the JSON need not look up the code. */
  intervals: string;
  bootstrap: { samples: number; seed: number | string };
  datasets: DatasetReport[];
  /** All items of all datasets pooled. */
  overall: DatasetReport;
}

const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

interface PerturbationColumn {
  perturbation: Perturbation;
  index: number[];
  orig: Uint8Array;
  pert: Uint8Array;
  excluded: number;
}

function correctOf(score: VariantScore | undefined, metric: "acc" | "acc_norm"): boolean | undefined {
  if (!score) return undefined;
  if (metric === "acc_norm") {
    if (score.correctNorm === undefined)
      throw new Error("acc_norm needs log-likelihood scores (correctNorm)");
    return score.correctNorm;
  }
  return score.correct;
}

function datasetReport(
  dataset: string,
  items: readonly ScoredItem[],
  perturbations: readonly Perturbation[],
  o: Required<ReportOptions>,
): DatasetReport {
  const original = items.map((it) => correctOf(it.scores.original, o.metric));
  const scoredOriginal = original.filter((c) => c !== undefined) as boolean[];
  const columns: PerturbationColumn[] = perturbations.map((p) => {
    const index: number[] = [];
    let excluded = 0;
    items.forEach((it, i) => {
      const pert = correctOf(it.scores[p], o.metric);
      if (pert === undefined || original[i] === undefined) return;
      if (o.excludeDefective && it.defective[p]) excluded++;
      else index.push(i);
    });
    return {
      perturbation: p,
      index,
      orig: Uint8Array.from(index, (i) => (original[i] ? 1 : 0)),
      pert: Uint8Array.from(index, (i) => (correctOf(items[i].scores[p], o.metric) ? 1 : 0)),
      excluded,
    };
  });

  // One paired bootstrap for the whole dataset: every replicate reweights the same items for all
  // perturbations, so level means get intervals that respect the correlation between them.
  const diffReps = columns.map(() => [] as number[]);
  const pdrReps = columns.map(() => [] as number[]);
  for (const w of bootstrapWeights(items.length, o.bootstrapSamples, `${o.bootstrapSeed}:${dataset}`)) {
    columns.forEach((c, k) => {
      let m = 0;
      let so = 0;
      let sp = 0;
      for (let j = 0; j < c.index.length; j++) {
        const wi = w[c.index[j]];
        m += wi;
        so += wi * c.orig[j];
        sp += wi * c.pert[j];
      }
      diffReps[k].push(m === 0 ? Number.NaN : (so - sp) / m);
      pdrReps[k].push(so === 0 ? Number.NaN : 1 - sp / so);
    });
  }

  const stats: PerturbationStats[] = columns.map((c, k) => {
    const n = c.index.length;
    const so = c.orig.reduce((a, b) => a + b, 0);
    const sp = c.pert.reduce((a, b) => a + b, 0);
    return {
      perturbation: c.perturbation,
      level: LEVEL_OF[c.perturbation],
      n,
      excluded: c.excluded,
      accOriginal: n === 0 ? Number.NaN : so / n,
      accOriginalCI: wilsonInterval(so, n, o.confidence),
      accPerturbed: n === 0 ? Number.NaN : sp / n,
      accPerturbedCI: wilsonInterval(sp, n, o.confidence),
      difference: n === 0 ? Number.NaN : (so - sp) / n,
      differenceCI: percentileInterval(diffReps[k], o.confidence),
      pdr: so === 0 ? Number.NaN : 1 - sp / so,
      pdrCI: percentileInterval(pdrReps[k], o.confidence),
    };
  });

  const levelStats = (level: PerturbationLevel | "all"): LevelStats => {
    const ks = columns.flatMap((c, k) => (level === "all" || LEVEL_OF[c.perturbation] === level ? [k] : []));
    const replicateMeans = (reps: number[][]) =>
      Array.from({ length: o.bootstrapSamples }, (_, b) => mean(ks.map((k) => reps[k][b])));
    return {
      level,
      perturbations: ks.map((k) => columns[k].perturbation),
      accPerturbed: mean(ks.map((k) => stats[k].accPerturbed)),
      difference: mean(ks.map((k) => stats[k].difference)),
      differenceCI: percentileInterval(replicateMeans(diffReps), o.confidence),
      pdr: mean(ks.map((k) => stats[k].pdr)),
      pdrCI: percentileInterval(replicateMeans(pdrReps), o.confidence),
    };
  };

  const correct = scoredOriginal.filter(Boolean).length;
  return {
    dataset,
    n: scoredOriginal.length,
    accOriginal: scoredOriginal.length === 0 ? Number.NaN : correct / scoredOriginal.length,
    accOriginalCI: wilsonInterval(correct, scoredOriginal.length, o.confidence),
    perturbations: stats,
    levels: PERTURBATION_LEVELS.filter((l) => columns.some((c) => LEVEL_OF[c.perturbation] === l)).map(
      levelStats,
    ),
    mean: levelStats("all"),
  };
}

/**
 * Accuracy on original and perturbed text, their difference and the Performance Drop Rate, per
 * dataset and perturbation, with level means. Intervals: Wilson for accuracies; a seeded paired
 * bootstrap (percentile method, resampling items) for differences, PDRs and means.
 */
export function buildReport(scored: readonly ScoredItem[], options: ReportOptions = {}): RupReport {
  const o: Required<ReportOptions> = {
    metric: options.metric ?? "acc",
    excludeDefective: options.excludeDefective ?? false,
    confidence: options.confidence ?? 0.95,
    bootstrapSamples: options.bootstrapSamples ?? 1000,
    bootstrapSeed: options.bootstrapSeed ?? 0,
  };
  const perturbations = PERTURBATIONS.filter((p) => scored.some((s) => s.scores[p] !== undefined));
  const byDataset = new Map<string, ScoredItem[]>();
  for (const s of scored) byDataset.set(s.dataset, [...(byDataset.get(s.dataset) ?? []), s]);
  return {
    metric: o.metric,
    excludeDefective: o.excludeDefective,
    confidence: o.confidence,
    intervals:
      "Wilson score for accuracies; paired item bootstrap (percentile) for differences, PDRs and means",
    bootstrap: { samples: o.bootstrapSamples, seed: o.bootstrapSeed },
    datasets: [...byDataset].map(([d, items]) => datasetReport(d, items, perturbations, o)),
    overall: datasetReport("all", scored, perturbations, o),
  };
}

/** One line of the seed project's headline table. */
export interface HeadlineRow {
  model: string;
  run: string;
  accuracy: number;
  /** Mean accuracy over the perturbed versions. */
  adversarialAccuracy: number;
  /** Mean paired drop; accuracy − adversarialAccuracy when no item is excluded. */
  difference: number;
}

export function headlineRow(report: RupReport, model: string, run: string): HeadlineRow {
  return {
    model,
    run,
    accuracy: report.overall.accOriginal,
    adversarialAccuracy: report.overall.mean.accPerturbed,
    difference: report.overall.mean.difference,
  };
}
