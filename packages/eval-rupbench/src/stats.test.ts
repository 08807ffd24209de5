import { describe, expect, it } from "vitest";
import { bootstrapWeights, normalQuantile, percentileInterval, quantile, wilsonInterval } from "./stats.js";

describe("intervals", () => {
  it("has the standard normal quantiles", () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.99)).toBeCloseTo(2.575829, 5);
  });

  it("matches published Wilson intervals", () => {
    // statsmodels proportion_confint(8, 10, method="wilson") = (0.4902, 0.9433)
    const ci = wilsonInterval(8, 10);
    expect(ci.low).toBeCloseTo(0.4902, 4);
    expect(ci.high).toBeCloseTo(0.9433, 4);
    expect(wilsonInterval(0, 20).low).toBe(0);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it("takes numpy-style quantiles and drops undefined replicates", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileInterval([Number.NaN, 1, 2, 3], 0.5)).toEqual({ low: 1.5, high: 2.5 });
  });

  it("draws n items per replicate, reproducibly", () => {
    const a = [...bootstrapWeights(5, 3, 1)].map((w) => [...w]);
    const b = [...bootstrapWeights(5, 3, 1)].map((w) => [...w]);
    expect(a).toEqual(b);
    for (const w of a) expect(w.reduce((s, x) => s + x, 0)).toBe(5);
  });
});
