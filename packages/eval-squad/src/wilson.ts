export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a proportion. Unlike the normal approximation it stays inside
 * [0, 1] and is honest near 0 % and 100 %, where compressed models' scores can land.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.959963984540054): Interval {
  if (trials === 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  // At 0 or n successes the bound is exactly 0 or 1; rounding would otherwise leave 1 - 1e-16.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
