import { rtnQuantize } from "@shrinkray/gptq";
import { clamp, Generator, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import type { QuantSpec } from "./bits.js";
import { fakeQuantize, fakeQuantizeWithGrid, lsqGradScale } from "./fake-quant.js";

const randn = (shape: number[], seed: number) => Tensor.randn(shape, { generator: new Generator(seed) });
const arr = (t: Tensor) => Array.from(t.dataSync() as Float32Array);

describe("fakeQuantize (forward)", () => {
  const specs: QuantSpec[] = [
    { bits: 4, groupSize: -1, sym: false },
    { bits: 3, groupSize: 8, sym: true },
    { bits: 8, groupSize: 16, sym: false },
    { bits: 2, groupSize: 8, sym: false },
  ];
  for (const spec of specs) {
    it(`matches gptq's RTN at ${spec.bits} bits, group ${spec.groupSize}, sym ${spec.sym}`, () => {
      const w = randn([6, 32], 1);
      const ours = arr(fakeQuantize(w, spec));
      const theirs = arr(
        rtnQuantize(w, { bits: spec.bits as 2 | 3 | 4 | 8, groupSize: spec.groupSize, sym: spec.sym })
          .dequantized,
      );
      expect(ours).toEqual(theirs);
    });
  }

  it("leaves the weight alone at 16 and 32 bits", () => {
    const w = randn([3, 4], 2);
    expect(fakeQuantize(w, { bits: 16, groupSize: -1, sym: false })).toBe(w);
    expect(fakeQuantize(w, { bits: 32, groupSize: 8, sym: true })).toBe(w);
  });

  it("rejects widths outside 2–8, 16, 32", () => {
    const w = randn([3, 4], 2);
    expect(() => fakeQuantize(w, { bits: 1 as never, groupSize: -1, sym: false })).toThrow(
      /bits must be one of/,
    );
  });
});

/*
 * A per-channel grid chosen by hand, narrow enough that some weights fall outside the clip
 * range: that is where the STE and LSQ rules differ from the inside ones.
 */
function clippedCase() {
  const out = 3;
  const inF = 10;
  const w = randn([out, inF], 7).mul(2);
  const scale = Tensor.from(Float32Array.from([0.31, 0.27, 0.43]), [1, out]);
  const zero = Float32Array.from([4, 3, 5]);
  const spec: QuantSpec = { bits: 3, groupSize: -1, sym: false };
  const upstream = randn([out, inF], 8);
  return { out, inF, w, scale, zero, spec, upstream, maxq: 7 };
}

describe("straight-through estimator", () => {
  it("passes the gradient inside the clip range and zero outside", () => {
    const c = clippedCase();
    const w = c.w.detach().requiresGrad_();
    fakeQuantizeWithGrid(w, c.scale, c.zero, c.spec).backward(c.upstream);
    const wd = arr(c.w);
    const gd = arr(c.upstream);
    const s = arr(c.scale);
    let outside = 0;
    const expected = wd.map((v, k) => {
      const o = Math.floor(k / c.inF);
      const x = v / s[o] + c.zero[o];
      const inside = x >= 0 && x <= c.maxq;
      if (!inside) outside++;
      return inside ? gd[k] : 0;
    });
    expect(outside).toBeGreaterThan(3);
    expect(outside).toBeLessThan(c.out * c.inF - 3);
    expect(arr(w.grad!)).toEqual(expected);
  });

  it("agrees with finite differences where the quantizer is differentiable (outside: flat)", () => {
    const c = clippedCase();
    const w = c.w.detach().requiresGrad_();
    fakeQuantizeWithGrid(w, c.scale, c.zero, c.spec).backward(c.upstream);
    const g = arr(w.grad!);
    const wd = arr(c.w);
    const eps = 1e-3;
    const loss = (vals: number[]) =>
      arr(fakeQuantizeWithGrid(Tensor.from(Float32Array.from(vals), [c.out, c.inF]), c.scale, c.zero, c.spec))
        .map((v, k) => v * arr(c.upstream)[k])
        .reduce((a, b) => a + b, 0);
    wd.forEach((_, k) => {
      if (g[k] !== 0) return; // inside, the true derivative is 0 a.e.: the STE is a choice, not a limit
      const plus = [...wd];
      const minus = [...wd];
      plus[k] += eps;
      minus[k] -= eps;
      expect((loss(plus) - loss(minus)) / (2 * eps)).toBeCloseTo(0, 6);
    });
  });

  it("matches the same estimator composed from tensor ops (clamp, round, detach)", () => {
    const c = clippedCase();
    const w1 = c.w.detach().requiresGrad_();
    const s1 = c.scale.detach().requiresGrad_();
    fakeQuantizeWithGrid(w1, s1, c.zero, c.spec).backward(c.upstream);
    const w2 = c.w.detach().requiresGrad_();
    const s2 = c.scale.detach().reshape([c.out, 1]).requiresGrad_();
    const z = Tensor.from(c.zero, [c.out, 1]);
    const v = clamp(w2.div(s2).add(z), 0, c.maxq);
    const r = v.add(v.round().sub(v).detach());
    r.sub(z).mul(s2).backward(c.upstream);
    arr(w1.grad!).forEach((v, i) => {
      expect(v).toBeCloseTo(arr(w2.grad!)[i], 6);
    });
    arr(s1.grad!).forEach((v, i) => {
      expect(v).toBeCloseTo(arr(s2.grad!)[i], 4);
    });
  });
});

describe("learned step size (LSQ)", () => {
  it("gives ∂ŵ/∂s = round(u) − u inside and the clip bound outside, times g", () => {
    const c = clippedCase();
    const s = c.scale.detach().requiresGrad_();
    const g = 0.37;
    fakeQuantizeWithGrid(c.w, s, c.zero, c.spec, { gradScale: g }).backward(c.upstream);
    const wd = arr(c.w);
    const gd = arr(c.upstream);
    const sd = arr(c.scale);
    const expected = [0, 0, 0];
    wd.forEach((v, k) => {
      const o = Math.floor(k / c.inF);
      const u = v / sd[o];
      const x = u + c.zero[o];
      let d: number;
      if (x < 0) d = -c.zero[o];
      else if (x > c.maxq) d = c.maxq - c.zero[o];
      else d = Math.round(u) - u;
      expected[o] += gd[k] * d;
    });
    arr(s.grad!).forEach((v, o) => {
      expect(v).toBeCloseTo(expected[o] * g, 4);
    });
  });

  it("differs from finite differences exactly by the STE term −Σ u inside (LSQ keeps it)", () => {
    const c = clippedCase();
    const s = c.scale.detach().requiresGrad_();
    fakeQuantizeWithGrid(c.w, s, c.zero, c.spec).backward(c.upstream);
    const lsq = arr(s.grad!);
    const wd = arr(c.w);
    const gd = arr(c.upstream);
    const sd = arr(c.scale);
    const loss = (scales: number[]) =>
      arr(fakeQuantizeWithGrid(c.w, Tensor.from(Float32Array.from(scales), [1, c.out]), c.zero, c.spec))
        .map((v, k) => v * gd[k])
        .reduce((a, b) => a + b, 0);
    // The first step at which no weight of the channel crosses a rounding boundary: there the
    // difference quotient is the derivative with the codes held fixed.
    const crosses = (o: number, eps: number) =>
      wd
        .slice(o * c.inF, (o + 1) * c.inF)
        .some((v) => Math.round(v / (sd[o] + eps)) !== Math.round(v / (sd[o] - eps)));
    for (let o = 0; o < c.out; o++) {
      const eps = [1e-3, 3e-4, 1e-4].find((e) => !crosses(o, e))!;
      expect(eps).toBeDefined();
      const plus = [...sd];
      const minus = [...sd];
      plus[o] += eps;
      minus[o] -= eps;
      const fd = (loss(plus) - loss(minus)) / (2 * eps);
      let steTerm = 0;
      for (let i = 0; i < c.inF; i++) {
        const k = o * c.inF + i;
        const x = wd[k] / sd[o] + c.zero[o];
        if (x >= 0 && x <= c.maxq) steTerm -= gd[k] * (wd[k] / sd[o]);
      }
      expect(lsq[o]).toBeCloseTo(fd + steTerm, 2);
    }
  });

  it("scales the step gradient by 1/√(N·Qp)", () => {
    expect(lsqGradScale(100, 4, true)).toBeCloseTo(1 / Math.sqrt(100 * 7), 12);
    expect(lsqGradScale(64, 2, false)).toBeCloseTo(1 / Math.sqrt(64 * 3), 12);
  });

  it("per group: one step size per (group, channel), its gradient summed over the group only", () => {
    const w = randn([2, 8], 3);
    const spec: QuantSpec = { bits: 4, groupSize: 4, sym: true };
    const scale = Tensor.from(Float32Array.from([0.2, 0.25, 0.15, 0.3]), [2, 2]).requiresGrad_();
    const zero = new Float32Array(4).fill(8);
    const up = Tensor.ones([2, 8]);
    fakeQuantizeWithGrid(w, scale, zero, spec).backward(up);
    const wd = arr(w);
    const sd = arr(scale);
    const exp = [0, 0, 0, 0];
    wd.forEach((v, k) => {
      const o = Math.floor(k / 8);
      const gi = Math.floor((k % 8) / 4) * 2 + o;
      const u = v / sd[gi];
      const x = u + 8;
      exp[gi] += x < 0 ? -8 : x > 15 ? 7 : Math.round(u) - u;
    });
    arr(scale.grad!).forEach((v, j) => {
      expect(v).toBeCloseTo(exp[j], 4);
    });
  });
});
