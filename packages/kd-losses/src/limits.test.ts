import { describe, expect, it } from "vitest";
import { forwardKl, generalizedJsd, reverseKl, skewKl, skewReverseKl } from "./index.js";
import { f64, randomLogits } from "./testing/fixtures.js";

const SHAPE = [1, 4, 6] as const;
const s = () => f64(randomLogits(SHAPE, 21), SHAPE);
const teacher = { logits: f64(randomLogits(SHAPE, 22), SHAPE) };
const fkl = forwardKl(s(), teacher).item();
const rkl = reverseKl(s(), teacher).item();

describe("generalized JSD at and near its ends (GKD)", () => {
  it("β = 0 is exactly forward KL and β = 1 exactly reverse KL", () => {
    expect(generalizedJsd(s(), teacher, { beta: 0 }).item()).toBe(fkl);
    expect(generalizedJsd(s(), teacher, { beta: 1 }).item()).toBe(rkl);
    expect(fkl).not.toBeCloseTo(rkl, 3);
  });

  it("the ends are the limits of the normalised divergence: JSD(β)/β → KL(p||q), JSD(β)/(1−β) → KL(q||p)", () => {
    // The error of the normalised divergence is first order in β (a χ² term), so it must fall
    // a hundredfold when β does.
    const gap = (b: number) => [
      Math.abs(generalizedJsd(s(), teacher, { beta: b }).item() / b - fkl) / fkl,
      Math.abs(generalizedJsd(s(), teacher, { beta: 1 - b }).item() / b - rkl) / rkl,
    ];
    const [f4, r4] = gap(1e-4);
    const [f6, r6] = gap(1e-6);
    expect(f6).toBeLessThan(1e-3);
    expect(r6).toBeLessThan(1e-3);
    expect(f6).toBeLessThan(f4 / 50);
    expect(r6).toBeLessThan(r4 / 50);
  });

  it("defaults to β = 0.5, the symmetric JSD, bounded by log 2", () => {
    const half = generalizedJsd(s(), teacher).item();
    expect(half).toBe(generalizedJsd(s(), teacher, { beta: 0.5 }).item());
    expect(half).toBeGreaterThan(0);
    expect(half).toBeLessThan(Math.LN2);
  });
});

describe("skew KLs (DistiLLM) at their ends", () => {
  it("α = 0 is the plain KL, α = 1 is 0", () => {
    expect(skewKl(s(), teacher, { alpha: 0 }).item()).toBe(fkl);
    expect(skewReverseKl(s(), teacher, { alpha: 0 }).item()).toBe(rkl);
    expect(skewKl(s(), teacher, { alpha: 1 }).item()).toBe(0);
    expect(skewReverseKl(s(), teacher, { alpha: 1 }).item()).toBe(0);
  });

  it("skewing shrinks the divergence, and is bounded by log(1/α)", () => {
    const a = 0.1;
    const skl = skewKl(s(), teacher, { alpha: a }).item();
    const srkl = skewReverseKl(s(), teacher, { alpha: a }).item();
    expect(skl).toBeLessThan(fkl);
    expect(srkl).toBeLessThan(rkl);
    expect(skl).toBeLessThan(Math.log(1 / a));
    expect(srkl).toBeLessThan(Math.log(1 / a));
  });
});
