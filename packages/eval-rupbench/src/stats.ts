import { createRng } from "./prng.js";

export interface Interval {
  low: number;
  high: number;
}

/** The two-sided standard normal quantile for a confidence level (0.95 → 1.96). */
export function normalQuantile(level: number): number {
  // Acklam's rational approximation of the inverse normal CDF, |error| < 1.2e-9.
  const p = 1 - (1 - level) / 2;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** Wilson score interval for a binomial proportion: sound near 0 and 1 and for small n. */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const z = normalQuantile(level);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The q-quantile of sorted values (linear interpolation, as numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Percentile interval of bootstrap replicates; NaN replicates (undefined statistics) are dropped. */
export function percentileInterval(replicates: readonly number[], level = 0.95): Interval {
  const finite = replicates.filter(Number.isFinite).sort((x, y) => x - y);
  if (finite.length === 0) return { low: Number.NaN, high: Number.NaN };
  return { low: quantile(finite, (1 - level) / 2), high: quantile(finite, 1 - (1 - level) / 2) };
}

/**
 * Paired bootstrap resampling weights: each replicate draws n items with replacement and returns
 * how often each item was drawn. Every statistic of one replicate uses the same draw, so the
 * original and perturbed accuracies stay paired item by item.
 */
export function* bootstrapWeights(n: number, samples: number, seed: number | string): Generator<Uint32Array> {
  const rng = createRng("bootstrap", seed);
  const w = new Uint32Array(n);
  for (let b = 0; b < samples; b++) {
    w.fill(0);
    for (let k = 0; k < n; k++) w[rng.int(n)]++;
    yield w;
  }
}
