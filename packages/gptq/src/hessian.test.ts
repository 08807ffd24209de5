import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { HessianAccumulator } from "./hessian.js";

describe("HessianAccumulator", () => {
  const g = new Generator(7);
  const x = Tensor.randn([6, 10, 12], { generator: g });
  const xd = x.dataSync() as Float32Array;

  it("is 2/n Σ x xᵀ over the samples", () => {
    const acc = new HessianAccumulator(12);
    acc.add(x);
    expect(acc.nsamples).toBe(6);
    const h = acc.hessian().dataSync() as Float32Array;
    for (let a = 0; a < 12; a++) {
      for (let b = 0; b < 12; b++) {
        let s = 0;
        for (let t = 0; t < 60; t++) s += xd[t * 12 + a] * xd[t * 12 + b];
        expect(h[a * 12 + b]).toBeCloseTo((2 / 6) * s, 4);
      }
    }
  });

  it("gives the same running mean whatever the batching", () => {
    const whole = new HessianAccumulator(12);
    whole.add(x);
    const parts = new HessianAccumulator(12);
    parts.add(Tensor.from(xd.slice(0, 240), [2, 10, 12]));
    parts.add(Tensor.from(xd.slice(240, 360), [10, 12])); // a 2-D input counts as one sample
    parts.add(Tensor.from(xd.slice(360), [3, 10, 12]));
    expect(parts.nsamples).toBe(6);
    const a = whole.hessian().dataSync() as Float32Array;
    const b = parts.hessian().dataSync() as Float32Array;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 4);
  });

  it("rejects inputs of the wrong width", () => {
    expect(() => new HessianAccumulator(12).add(Tensor.zeros([4, 11]))).toThrow(
      /x must be \[\.\.\., 12\], got \[4, 11\]/,
    );
    expect(() => new HessianAccumulator(0)).toThrow(/columns must be a positive integer/);
  });
});
