import { describe, expect, it } from "vitest";
import { Tensor, tidy } from "../index.js";
import { SGD, type SGDHyper } from "./index.js";

/** torch.optim.SGD's documented update, in float64, for one parameter vector. */
function referenceSGD(p0: number[], grads: number[][], h: SGDHyper): number[] {
  const p = [...p0];
  let buf: number[] | null = null;
  for (const g of grads) {
    const d = g.map((gi, i) => gi + h.weightDecay * p[i]);
    let step = d;
    if (h.momentum !== 0) {
      buf = buf === null ? [...d] : buf.map((b, i) => h.momentum * b + (1 - h.dampening) * d[i]);
      step = h.nesterov ? d.map((di, i) => di + h.momentum * buf![i]) : buf;
    }
    for (let i = 0; i < p.length; i++) p[i] -= h.lr * step[i];
  }
  return p;
}

const p0 = [0.5, -1.25, 2, 0.1];
const grads = [
  [0.3, -0.2, 1.5, -0.05],
  [-0.1, 0.4, 0.9, 0.2],
  [0.25, 0.25, -1, 0.7],
];

function run(h: Partial<SGDHyper>): number[] {
  const p = Tensor.from(p0, undefined, { requiresGrad: true });
  const opt = new SGD([p], h);
  for (const g of grads) {
    p.grad = Tensor.from(g);
    opt.step();
  }
  return Array.from(p.dataSync() as Float32Array);
}

describe("SGD", () => {
  const base: SGDHyper = { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };
  const cases: [string, Partial<SGDHyper>][] = [
    ["plain", {}],
    ["weight decay", { weightDecay: 0.05 }],
    ["momentum", { momentum: 0.9 }],
    ["momentum + dampening", { momentum: 0.9, dampening: 0.3 }],
    ["nesterov + weight decay", { momentum: 0.8, nesterov: true, weightDecay: 0.01 }],
  ];
  for (const [name, h] of cases) {
    it(`matches PyTorch's update over three steps: ${name}`, () => {
      const got = run({ lr: 0.1, ...h });
      const want = referenceSGD(p0, grads, { ...base, ...h });
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(want[i], 6);
      });
    });
  }

  it("one hand-computed step: p - lr·(g + wd·p)", () => {
    expect(run({ lr: 0.1, weightDecay: 0.5 }).length).toBe(4);
    const p = Tensor.from([2], undefined, { requiresGrad: true });
    p.grad = Tensor.from([3]);
    new SGD([p], { lr: 0.1, weightDecay: 0.5 }).step();
    expect(p.item()).toBeCloseTo(2 - 0.1 * (3 + 0.5 * 2), 6); // 1.6
  });

  it("keeps its momentum buffer across tidy() and frees nothing it still needs", () => {
    const p = Tensor.from([1, 2], undefined, { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 2; i++) {
      p.grad = Tensor.from([1, 1]);
      tidy(() => opt.step());
    }
    const buf = opt.state.get(p)!.momentumBuffer as Tensor;
    expect(buf.isDisposed).toBe(false);
    expect(Array.from(buf.dataSync() as Float32Array).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([
      1.9, 1.9,
    ]);
    expect(p.isDisposed).toBe(false);
  });

  it("skips parameters without gradients, applies per-group lr, rejects bad nesterov", () => {
    const a = Tensor.from([1], undefined, { requiresGrad: true });
    const b = Tensor.from([1], undefined, { requiresGrad: true });
    const c = Tensor.from([1], undefined, { requiresGrad: true });
    const opt = new SGD([{ params: [a, c] }, { params: [b], lr: 1 }], { lr: 0.1 });
    a.grad = Tensor.from([1]);
    b.grad = Tensor.from([1]);
    opt.step();
    expect([a.item(), b.item(), c.item()].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.9, 0, 1]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(() => new SGD([a], { nesterov: true })).toThrow(/Nesterov/);
    expect(() => new SGD([{ params: [a] }, { params: [a] }])).toThrow(/more than one group/);
  });
});
