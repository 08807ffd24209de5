import { describe, expect, it } from "vitest";
import { Generator, Tensor } from "../testing/core.js";
import { fakeQuantize, fakeQuantizeMinMax } from "./fake-quant.js";
import { quantGrid } from "./grid.js";
import { roundHalfEven } from "./grid-math.js";

const f = Math.fround;

describe("quantGrid", () => {
  it("spans each group's min and max (asymmetric) or ±max (symmetric), as the reference", () => {
    // [out 2, in 4], groups of 2 columns.
    const w = Tensor.from([
      [-1, 3, 0.5, 0.25],
      [2, 4, -8, -6],
    ]);
    const a = quantGrid(w, { bits: 4, groupSize: 2, sym: false });
    expect(a.scale.shape).toEqual([2, 2]);
    const s = a.scale.dataSync() as Float32Array;
    const z = a.zero.dataSync() as Float32Array;
    // group 0 row 0: [−1, 3] → (3 − −1)/15; row 1: [0, 4] (lo clamps at 0) → 4/15.
    expect(s[0]).toBe(f(f(4) / 15));
    expect(s[1]).toBe(f(f(4) / 15));
    expect(z[0]).toBe(roundHalfEven(f(1 / s[0])));
    expect(z[1]).toBe(0);
    // group 1 row 0: [0, 0.5] (lo 0) → 0.5/15; row 1: [−8, 0] → 8/15, zero 15.
    expect(s[2]).toBe(f(f(0.5) / 15));
    expect(z[3]).toBe(15);
    const b = quantGrid(w, { bits: 4, groupSize: -1, sym: true });
    expect(b.scale.shape).toEqual([1, 2]);
    expect(Array.from(b.zero.dataSync() as Float32Array)).toEqual([8, 8]);
    expect((b.scale.dataSync() as Float32Array)[1]).toBe(f(f(16) / 15));
  });

  it("names bad specs", () => {
    expect(() => quantGrid(Tensor.ones([4]), { bits: 4, groupSize: -1, sym: true })).toThrow(/\[out, in\]/);
    expect(() => quantGrid(Tensor.ones([2, 4]), { bits: 0, groupSize: -1, sym: true })).toThrow(/bits/);
    expect(() => quantGrid(Tensor.ones([2, 4]), { bits: 4, groupSize: 0, sym: true })).toThrow(/groupSize/);
  });
});

describe("fakeQuantize", () => {
  const out = 6;
  const inF = 10;
  const spec = { bits: 3, groupSize: 4, sym: false };
  const groups = 3;

  function setup(seed: number) {
    const g = new Generator(seed);
    const w = Float32Array.from({ length: out * inF }, () => g.normal());
    const s = Float32Array.from({ length: groups * out }, () => 0.2 + g.uniform() * 0.3);
    const z = Float32Array.from({ length: groups * out }, () => g.int(8));
    return { w, s, z };
  }

  it("matches ŵ = s·(clamp(round(w/s) + z) − z), with the STE and LSQ gradients", () => {
    const { w, s, z } = setup(1);
    const weight = Tensor.from(w, [out, inF], { requiresGrad: true });
    const scale = Tensor.from(s, [groups, out], { requiresGrad: true });
    const zero = Tensor.from(z, [groups, out]);
    const y = fakeQuantize(weight, scale, zero, spec, { gradScale: 0.5 });
    const g = new Generator(2);
    const up = Float32Array.from({ length: out * inF }, () => g.normal());
    y.mul(Tensor.from(up, [out, inF]))
      .sum()
      .backward();
    const Y = y.dataSync() as Float32Array;
    const GW = weight.grad!.dataSync() as Float32Array;
    const GS = scale.grad!.dataSync() as Float32Array;
    const gs = new Float64Array(groups * out);
    for (let o = 0; o < out; o++)
      for (let i = 0; i < inF; i++) {
        const k = o * inF + i;
        const gi = Math.floor(i / 4) * out + o;
        const u = f(w[k] / s[gi]);
        const inside = u + z[gi] >= 0 && u + z[gi] <= 7;
        const q = Math.min(Math.max(roundHalfEven(u) + z[gi], 0), 7);
        expect(Y[k]).toBe(f(s[gi] * (q - z[gi])));
        expect(GW[k]).toBe(inside ? up[k] : 0);
        gs[gi] += up[k] * (inside ? q - z[gi] - u : q - z[gi]);
      }
    for (let j = 0; j < gs.length; j++) expect(GS[j]).toBeCloseTo(gs[j] * 0.5, 4);
  });

  it("fakeQuantizeMinMax takes the weight's own grid and passes the STE gradient", () => {
    const { w } = setup(3);
    const weight = Tensor.from(w, [out, inF], { requiresGrad: true });
    const y = fakeQuantizeMinMax(weight, spec);
    const { scale, zero } = quantGrid(weight.detach(), spec);
    const again = fakeQuantize(weight.detach(), scale, zero, spec);
    expect(Array.from(y.dataSync() as Float32Array)).toEqual(Array.from(again.dataSync() as Float32Array));
    y.sum().backward();
    // Straight through, except where rounding the zero point pushes an extreme just past the range.
    const grads = Array.from(weight.grad!.dataSync() as Float32Array);
    expect(grads.every((v) => v === 0 || v === 1)).toBe(true);
    expect(grads.filter((v) => v === 1).length).toBeGreaterThan(0.5 * grads.length);
  });

  it("names a grid of the wrong shape", () => {
    const w = Tensor.ones([out, inF]);
    expect(() => fakeQuantize(w, Tensor.ones([2, out]), Tensor.zeros([2, out]), spec)).toThrow(
      /scale must be \[3, 6\]/,
    );
  });
});
