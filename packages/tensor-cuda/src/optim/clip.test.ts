import { describe, expect, it } from "vitest";
import { Tensor, tidy } from "../index.js";
import { clipGradNorm } from "./index.js";

function params(): Tensor[] {
  const a = Tensor.zeros([2], { requiresGrad: true });
  const b = Tensor.zeros([1, 1], { requiresGrad: true });
  const c = Tensor.zeros([3], { requiresGrad: true }); // no gradient: ignored
  a.grad = Tensor.from([3, -4]);
  b.grad = Tensor.from([[12]]);
  return [a, b, c];
}

const values = (ps: Tensor[]) =>
  ps.slice(0, 2).flatMap((p) => Array.from(p.grad!.dataSync() as Float32Array));

describe("clipGradNorm", () => {
  it("returns the global 2-norm and scales by maxNorm / (norm + 1e-6)", () => {
    const ps = params();
    const total = clipGradNorm(ps, 1);
    expect(total.item()).toBeCloseTo(13, 5); // sqrt(9 + 16 + 144)
    const s = 1 / (13 + 1e-6);
    values(ps).forEach((v, i) => {
      expect(v).toBeCloseTo([3, -4, 12][i] * s, 6);
    });
    expect(ps[2].grad).toBeNull();
  });

  it("leaves gradients alone under the limit", () => {
    const ps = params();
    expect(clipGradNorm(ps, 100).item()).toBeCloseTo(13, 5);
    expect(values(ps)).toEqual([3, -4, 12]);
  });

  it("supports the 1-norm and the infinity norm", () => {
    const ps = params();
    expect(clipGradNorm(ps, 1e9, 1).item()).toBeCloseTo(19, 5);
    expect(clipGradNorm(ps, 6, Number.POSITIVE_INFINITY).item()).toBeCloseTo(12, 5);
    values(ps).forEach((v, i) => {
      expect(v).toBeCloseTo([3, -4, 12][i] * (6 / (12 + 1e-6)), 6);
    });
    expect(clipGradNorm(ps, 1e9, 3).item()).toBeCloseTo(Math.cbrt(27 / 8 + 64 / 8 + 1728 / 8), 4);
  });

  it("scales a gradient shared by two parameters once", () => {
    const a = Tensor.zeros([2], { requiresGrad: true });
    const b = Tensor.zeros([2], { requiresGrad: true });
    a.grad = b.grad = Tensor.from([3, 4]);
    const total = clipGradNorm([a, b], 1).item();
    expect(total).toBeCloseTo(Math.sqrt(50), 5);
    expect(Array.from(a.grad!.dataSync() as Float32Array)[0]).toBeCloseTo(3 / (Math.sqrt(50) + 1e-6), 6);
    expect(Array.from(b.grad!.dataSync() as Float32Array)[0]).toBeCloseTo(3 / (Math.sqrt(50) + 1e-6), 6);
  });

  it("frees the gradients it replaces, and its own survive an enclosing tidy()", () => {
    const ps = params();
    const old = ps.slice(0, 2).map((p) => p.grad!);
    tidy(() => clipGradNorm(ps, 1));
    for (const g of old) expect(g.isDisposed).toBe(true);
    for (const p of ps.slice(0, 2)) expect(p.grad!.isDisposed).toBe(false);
    expect(values(ps)[0]).toBeCloseTo(3 / (13 + 1e-6), 6);
  });
});
