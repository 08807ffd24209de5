import { describe, expect, it } from "vitest";
import { Generator, Tensor, tidy } from "../index.js";
import { Linear, Module } from "../nn/index.js";
import { AdamW, type AdamWHyper, cosineWithWarmup, LRScheduler } from "./index.js";

/** torch.optim.AdamW's documented update (amsgrad off), in float64. */
function referenceAdamW(p0: number[], grads: number[][], h: AdamWHyper): number[] {
  const [b1, b2] = h.betas;
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      p[i] *= 1 - h.lr * h.weightDecay;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      p[i] -= (h.lr * mHat) / (Math.sqrt(vHat) + h.eps);
    }
  });
  return p;
}

const p0 = [0.5, -1.25, 2, 0.1];
const grads = [
  [0.3, -0.2, 1.5, -0.05],
  [-0.1, 0.4, 0.9, 0.2],
  [0.25, 0.25, -1, 0.7],
];

describe("AdamW", () => {
  it("matches PyTorch's update over three steps (defaults: wd 0.01, betas 0.9/0.999, eps 1e-8)", () => {
    const p = Tensor.from(p0, undefined, { requiresGrad: true });
    const opt = new AdamW([p], { lr: 0.05 });
    for (const g of grads) {
      p.grad = Tensor.from(g);
      opt.step();
    }
    const want = referenceAdamW(p0, grads, { lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    Array.from(p.dataSync() as Float32Array).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 6);
    });
    expect(opt.state.get(p)!.step).toBe(3);
  });

  it("first step by hand: p·(1 - lr·wd) - lr·sign(g) (bias-corrected m̂/√v̂ = g/|g|)", () => {
    const p = Tensor.from([1, -2], undefined, { requiresGrad: true });
    p.grad = Tensor.from([0.5, -3]);
    new AdamW([p], { lr: 0.1, weightDecay: 0.1, eps: 0 }).step();
    const got = Array.from(p.dataSync() as Float32Array);
    expect(got[0]).toBeCloseTo(1 * 0.99 - 0.1, 6);
    expect(got[1]).toBeCloseTo(-2 * 0.99 + 0.1, 6);
  });

  it("works in float64 and updates the parameter in place", () => {
    const p = Tensor.from(Float64Array.from(p0), [4], { requiresGrad: true });
    const storage = p.storage;
    const opt = new AdamW([p], { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.2 });
    for (const g of grads) {
      p.grad = Tensor.from(Float64Array.from(g));
      opt.step();
    }
    const want = referenceAdamW(p0, grads, { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.2 });
    Array.from(p.dataSync() as Float64Array).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 12);
    });
    expect(p.storage).toBe(storage);
  });

  it("keeps its state when a step runs inside tidy()", () => {
    const p = Tensor.from(p0, undefined, { requiresGrad: true });
    const opt = new AdamW([p], { lr: undefined });
    expect(opt.lr).toBe(1e-3);
    p.grad = Tensor.from(grads[0]);
    tidy(() => opt.step());
    expect((opt.state.get(p)!.expAvg as Tensor).isDisposed).toBe(false);
    expect((opt.state.get(p)!.expAvgSq as Tensor).isDisposed).toBe(false);
  });

  it("dispose() frees the moments now; a later step starts afresh, as a new optimizer would", () => {
    const run = (disposeAfterFirst: boolean) => {
      const p = Tensor.from(p0, undefined, { requiresGrad: true });
      const opt = new AdamW([p], { lr: 0.05 });
      p.grad = Tensor.from(grads[0]);
      opt.step();
      const moments = [opt.state.get(p)!.expAvg, opt.state.get(p)!.expAvgSq] as Tensor[];
      if (disposeAfterFirst) {
        opt.dispose();
        expect(opt.state.size).toBe(0);
        for (const m of moments) expect(m.isDisposed).toBe(true);
      }
      p.grad = Tensor.from(grads[1]);
      opt.step();
      return p.toArray() as number[];
    };
    // After dispose the second step is a first step (state recreated): p − lr·sign(g) again.
    const fresh = run(true);
    const once = referenceAdamW(p0, [grads[0]], {
      lr: 0.05,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0.01,
    });
    const twice = referenceAdamW(once, [grads[1]], {
      lr: 0.05,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0.01,
    });
    fresh.forEach((v, i) => {
      expect(v).toBeCloseTo(twice[i], 5);
    });
    // Without dispose the state carries over, and the result differs.
    const kept = run(false);
    expect(kept.some((v, i) => Math.abs(v - twice[i]) > 1e-4)).toBe(true);
  });

  it("loadStateDict leaves the state it replaces alone: a stateDict() snapshot can be loaded back", () => {
    const p = Tensor.from(p0, undefined, { requiresGrad: true });
    const opt = new AdamW([p], { lr: 0.05 });
    p.grad = Tensor.from(grads[0]);
    opt.step();
    const snapshot = opt.stateDict();
    const other = new AdamW([Tensor.from(p0, undefined, { requiresGrad: true })], { lr: 0.05 });
    opt.loadStateDict(other.stateDict());
    expect(opt.state.size).toBe(0);
    opt.loadStateDict(snapshot);
    expect((opt.state.get(p)!.expAvg as Tensor).toArray()).toEqual(
      (snapshot.state[0].expAvg as Tensor).toArray(),
    );
  });

  it("resumes from stateDict exactly", () => {
    const make = () => {
      const p = Tensor.from(p0, undefined, { requiresGrad: true });
      return { p, opt: new AdamW([p], { lr: 0.05 }) };
    };
    const a = make();
    for (const g of grads.slice(0, 2)) {
      a.p.grad = Tensor.from(g);
      a.opt.step();
    }
    const b = make();
    b.p.assign(a.p);
    b.opt.loadStateDict(a.opt.stateDict());
    expect(b.opt.state.get(b.p)!.step).toBe(2);
    expect(b.opt.state.get(b.p)!.expAvg).not.toBe(a.opt.state.get(a.p)!.expAvg);
    for (const { p, opt } of [a, b]) {
      p.grad = Tensor.from(grads[2]);
      opt.step();
    }
    expect(b.p.toArray()).toEqual(a.p.toArray());
    const sd = a.opt.stateDict();
    expect(sd.paramGroups[0]).toMatchObject({ lr: 0.05, weightDecay: 0.01, params: [0] });
    expect(() => make().opt.loadStateDict({ ...sd, paramGroups: [] })).toThrow(/saved 0 groups/);
  });
});

class MLP extends Module {
  fc1: Linear;
  fc2: Linear;
  constructor(hidden: number, g: Generator) {
    super();
    this.fc1 = this.child("fc1", new Linear(1, hidden, { generator: g }));
    this.fc2 = this.child("fc2", new Linear(hidden, 1, { generator: g }));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.fc1.call(x).tanh());
  }
}

describe("training", () => {
  it("a tiny MLP fits sin(x) with AdamW and a cosine schedule", () => {
    const n = 64;
    const xs = Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1));
    const x = Tensor.from(xs, [n, 1]);
    const y = Tensor.from(xs.map(Math.sin), [n, 1]);
    const model = new MLP(32, new Generator(0));
    const opt = new AdamW(model.parameters(), { lr: 0.02, weightDecay: 0 });
    const steps = 400;
    const sched = new LRScheduler(
      opt,
      cosineWithWarmup({ warmupSteps: 20, totalSteps: steps, minLrRatio: 0.1 }),
    );
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const loss = model.call(x).sub(y).square().mean();
      losses.push(loss.item());
      loss.backward();
      opt.step();
      sched.step();
      opt.zeroGrad();
    }
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 50);
    expect(losses[losses.length - 1]).toBeLessThan(5e-3);
  });
});
