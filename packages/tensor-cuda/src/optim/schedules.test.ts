import { describe, expect, it } from "vitest";
import { Tensor } from "../index.js";
import { constantWithWarmup, cosineWithWarmup, LRScheduler, linearWithWarmup, SGD } from "./index.js";

// Expected values are transformers' lr_lambda formulas evaluated by hand for warmup 10, total 110.
describe("schedules", () => {
  it("cosineWithWarmup", () => {
    const f = cosineWithWarmup({ warmupSteps: 10, totalSteps: 110 });
    expect(f(0)).toBe(0);
    expect(f(5)).toBeCloseTo(0.5, 12);
    expect(f(10)).toBeCloseTo(1, 12);
    expect(f(35)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.25)), 12); // 0.8536
    expect(f(60)).toBeCloseTo(0.5, 12);
    expect(f(110)).toBeCloseTo(0, 12);
    expect(f(150)).toBeCloseTo(0, 12); // held past the end
  });

  it("cosineWithWarmup with a floor (get_cosine_with_min_lr_schedule_with_warmup)", () => {
    const f = cosineWithWarmup({ warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 });
    expect(f(5)).toBeCloseTo(0.5, 12); // warmup is not floored
    expect(f(10)).toBeCloseTo(1, 12);
    expect(f(60)).toBeCloseTo(0.5 * 0.9 + 0.1, 12);
    expect(f(110)).toBeCloseTo(0.1, 12);
  });

  it("linearWithWarmup and constantWithWarmup", () => {
    const lin = linearWithWarmup({ warmupSteps: 10, totalSteps: 110 });
    expect([0, 5, 10, 60, 100, 110, 120].map(lin)).toEqual([0, 0.5, 1, 0.5, 0.1, 0, 0]);
    const c = constantWithWarmup({ warmupSteps: 4 });
    expect([0, 1, 4, 1000].map(c)).toEqual([0, 0.25, 1, 1]);
    expect(constantWithWarmup({ warmupSteps: 0 })(0)).toBe(1);
    expect(() => linearWithWarmup({ warmupSteps: 10, totalSteps: 5 })).toThrow(/totalSteps/);
  });

  it("LRScheduler sets every group's lr from its initial lr, as LambdaLR", () => {
    const a = Tensor.zeros([1], { requiresGrad: true });
    const b = Tensor.zeros([1], { requiresGrad: true });
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
    const s = new LRScheduler(opt, linearWithWarmup({ warmupSteps: 2, totalSteps: 4 }));
    const seen = [s.lastLr()];
    for (let i = 0; i < 4; i++) {
      s.step();
      seen.push(s.lastLr());
    }
    const round = (v: number) => Math.round(v * 1e9) / 1e9;
    expect(seen.map((l) => l.map(round))).toEqual([
      [0, 0],
      [0.05, 0.5],
      [0.1, 1],
      [0.05, 0.5],
      [0, 0],
    ]);
    const resumed = new LRScheduler(opt, linearWithWarmup({ warmupSteps: 2, totalSteps: 4 }));
    resumed.loadStateDict({ lastStep: 3 });
    expect(resumed.lastLr().map(round)).toEqual([0.05, 0.5]);
  });
});
