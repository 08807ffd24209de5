import { describe, expect, it } from "vitest";
import {
  argmax,
  argmin,
  DTypeError,
  logsumexp,
  max,
  mean,
  min,
  ShapeError,
  sum,
  Tensor,
  variance,
} from "../testing/core.js";
import { expectClose, gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";
import { numelRef, ravel, unravel } from "../testing/reference.js";

/** Reduces `axes` (non-negative, any order) of a row-major array with `f` over each group. */
function reduceRef(
  data: readonly number[],
  shape: readonly number[],
  axes: readonly number[],
  f: (group: number[]) => number,
  keepDims = false,
): { data: number[]; shape: number[] } {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups: number[][] = Array.from({ length: numelRef(kept) }, () => []);
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape).map((v, d) => (axes.includes(d) ? 0 : v));
    groups[ravel(idx, kept)].push(data[i]);
  }
  return {
    data: groups.map(f),
    shape: keepDims ? kept : shape.filter((_, i) => !axes.includes(i)),
  };
}

const sumRef = (g: number[]) => g.reduce((a, b) => a + b, 0);
const meanRef = (g: number[]) => sumRef(g) / g.length;
const lseRef = (g: number[]) => {
  const m = Math.max(...g);
  return m + Math.log(g.reduce((a, v) => a + Math.exp(v - m), 0));
};
const varRef = (correction: number) => (g: number[]) => {
  const mu = meanRef(g);
  return g.reduce((a, v) => a + (v - mu) ** 2, 0) / (g.length - correction);
};

const SHAPE = [2, 3, 4];
const AXES_CASES: [number | number[] | undefined, number[]][] = [
  [undefined, [0, 1, 2]],
  [0, [0]],
  [1, [1]],
  [-1, [2]],
  [
    [0, 2],
    [0, 2],
  ],
  [
    [-1, -2],
    [1, 2],
  ],
  [
    [2, 0],
    [0, 2],
  ],
];

const REDUCTIONS: [
  string,
  (x: Tensor, axes: number | number[] | undefined, keep: boolean) => Tensor,
  (g: number[]) => number,
][] = [
  ["sum", (x, a, k) => sum(x, a, k), sumRef],
  ["mean", (x, a, k) => mean(x, a, k), meanRef],
  ["max", (x, a, k) => max(x, a, k), (g) => Math.max(...g)],
  ["min", (x, a, k) => min(x, a, k), (g) => Math.min(...g)],
  ["logsumexp", (x, a, k) => logsumexp(x, a, k), lseRef],
  ["var", (x, a, k) => variance(x, a, { keepDims: k }), varRef(1)],
  ["var(correction 0)", (x, a, k) => variance(x, a, { correction: 0, keepDims: k }), varRef(0)],
];

describe("reductions over axes", () => {
  for (const [name, f, ref] of REDUCTIONS) {
    for (const [axes, norm] of AXES_CASES) {
      for (const keep of [false, true]) {
        it(`${name} axes=${JSON.stringify(axes)} keepDims=${keep}: forward and backward`, () => {
          const x = randn32(SHAPE, 7);
          const r = reduceRef(values(x), SHAPE, norm, ref, keep);
          expectClose(f(x, axes, keep), r.data, r.shape, 1e-5, 1e-5);
          if (!keep) gradcheck((t) => f(t, axes, keep), [randn64(SHAPE, 8)]);
        });
      }
    }
  }

  it("fluent methods agree with the functions", () => {
    const x = randn32([3, 4], 3);
    expect(values(x.sum(1))).toEqual(values(sum(x, 1)));
    expect(values(x.mean(0, true))).toEqual(values(mean(x, 0, true)));
    expect(values(x.var(1, { correction: 0 }))).toEqual(values(variance(x, 1, { correction: 0 })));
    expect(values(x.logsumexp(-1))).toEqual(values(logsumexp(x, -1)));
  });

  it("sum/max of a scalar and size-1 axes", () => {
    const s = Tensor.scalar(3, { requiresGrad: true });
    expect(s.sum().item()).toBe(3);
    expect(s.max().item()).toBe(3);
    const y = s.sum(undefined, true);
    expect(y).not.toBe(s);
    y.backward();
    expect(s.gradFn).toBeNull();
    expect(s.grad!.item()).toBe(1);
    const o = Tensor.from([[5]]);
    expect(o.sum(0).shape).toEqual([1]);
    expect(o.max(-1, true).shape).toEqual([1, 1]);
  });

  it("0-d tensors reduce over axis 0 / -1 to themselves (torch)", () => {
    const s = Tensor.scalar(3);
    expect(s.sum(0).item()).toBe(3);
    expect(s.sum(-1, true).shape).toEqual([]);
    expect(s.max(0).item()).toBe(3);
    expect(s.mean(-1).item()).toBe(3);
    expect(s.logsumexp(0).item()).toBe(3);
    expect(s.argmax(0).item()).toBe(0);
    expect(() => s.sum(1)).toThrow(ShapeError);
  });

  it("an empty axis list keeps the shape and never aliases the input", () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const y = sum(x, [], true);
    expect(y).not.toBe(x);
    expect(values(y)).toEqual([1, 2]);
    y.mul(Tensor.from([3, 4]))
      .sum()
      .backward();
    expect(values(x.grad!)).toEqual([3, 4]);
  });

  it("empty reductions: sum gives 0, mean NaN, max/argmax refuse", () => {
    const e = Tensor.zeros([0, 3]);
    expect(values(e.sum(0))).toEqual([0, 0, 0]);
    expect(e.sum(1).shape).toEqual([0]);
    expect(e.sum().item()).toBe(0);
    expect(values(e.mean(0))).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(() => e.max(0)).toThrow(ShapeError);
    expect(() => e.max()).toThrow(/max: cannot reduce an empty axis/);
    expect(() => argmax(e)).toThrow(ShapeError);
    expect(e.max(1).shape).toEqual([0]);
  });

  it("max/min propagate NaN (forward and argmax)", () => {
    const x = Tensor.from([
      [1, Number.NaN, 3],
      [4, 5, 6],
    ]);
    expect(values(x.max(1))).toEqual([Number.NaN, 6]);
    expect(values(x.min(1))).toEqual([Number.NaN, 4]);
    expect(values(x.max(0))).toEqual([4, Number.NaN, 6]);
    expect(values(x.argmax(1))).toEqual([1, 2]);
    expect(values(x.argmax(0))).toEqual([1, 0, 1]);
    expect(Number.isNaN(x.max().item())).toBe(true);
  });

  it("max backward splits the gradient between ties", () => {
    const x = Tensor.from([2, 5, 5, 1], [4], { requiresGrad: true });
    x.max().backward();
    expect(values(x.grad!)).toEqual([0, 0.5, 0.5, 0]);
  });

  it("argmax/argmin: int32, first index on ties, flattened when no axis", () => {
    const x = Tensor.from([
      [1, 9, 9],
      [7, 0, 0],
    ]);
    const a = argmax(x, 1);
    expect(a.dtype).toBe("int32");
    expect(values(a)).toEqual([1, 0]);
    expect(values(argmin(x, 1))).toEqual([0, 1]);
    expect(values(argmax(x, -2))).toEqual([1, 0, 0]);
    expect(argmax(x).item()).toBe(1);
    expect(argmin(x).item()).toBe(4);
    expect(argmax(x, 1, true).shape).toEqual([2, 1]);
    expect(argmax(x, undefined, true).shape).toEqual([1, 1]);
  });

  it("int32 and bool sums stay integral; mean of int32 is refused", () => {
    const i = Tensor.from([1, 2, 3, 4], [2, 2], { dtype: "int32" });
    expect(i.sum(0).dtype).toBe("int32");
    expect(values(i.sum(0))).toEqual([4, 6]);
    expect(values(i.max(1))).toEqual([2, 4]);
    const b = Tensor.from([1, 0, 1]).cast("bool");
    expect(b.sum().dtype).toBe("int32");
    expect(b.sum().item()).toBe(2);
    const u = Tensor.from(new Uint8Array(300).fill(1));
    expect(u.sum().item()).toBe(300);
    expect(() => i.mean()).toThrow(DTypeError);
  });

  it("logsumexp is stable for large values and handles -inf", () => {
    const x = Tensor.from([1000, 1000, Number.NEGATIVE_INFINITY]);
    expectClose(x.logsumexp(0), [1000 + Math.log(2)], [], 1e-3);
    const all = Tensor.from([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(all.logsumexp(0).item()).toBe(Number.NEGATIVE_INFINITY);
  });

  it("var with a single element is NaN (0/0), as torch.var", () => {
    expect(Number.isNaN(Tensor.from([3]).var().item())).toBe(true);
  });

  it("out-of-range and repeated axes raise a ShapeError naming the op", () => {
    const x = Tensor.ones([2, 3]);
    expect(() => x.sum(2)).toThrow(/sum: axis 2 is out of range for a tensor of rank 2/);
    expect(() => x.mean(-3)).toThrow(ShapeError);
    expect(() => x.max([0, -2])).toThrow(/max: repeated axis/);
  });
});
