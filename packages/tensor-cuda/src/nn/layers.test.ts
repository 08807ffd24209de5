import { describe, expect, it } from "vitest";
import { Generator, Tensor } from "../index.js";
import { Dropout, Embedding, LayerNorm, Linear, RMSNorm } from "./index.js";

type M = number[][];
const flat = (t: Tensor) => Array.from(t.dataSync() as Float32Array);

function expectClose(got: M, want: M, tol = 1e-5) {
  expect(got.length).toBe(want.length);
  got.forEach((row, i) => {
    row.forEach((v, j) => {
      expect(Math.abs(v - want[i][j])).toBeLessThan(tol);
    });
  });
}

describe("Linear", () => {
  it("has weight [out, in] and PyTorch's U(-1/√in, 1/√in) init from the generator, weight then bias", () => {
    const lin = new Linear(9, 4, { generator: new Generator(7) });
    expect(lin.weight.shape).toEqual([4, 9]);
    expect(lin.bias!.shape).toEqual([4]);
    const g = new Generator(7);
    const draw = () => Math.fround((2 * g.uniform() - 1) / 3);
    expect(flat(lin.weight)).toEqual(Array.from({ length: 36 }, draw));
    expect(flat(lin.bias!)).toEqual(Array.from({ length: 4 }, draw));
    const big = new Linear(64, 256, { generator: new Generator(1) });
    const w = flat(big.weight);
    const bound = 1 / 8;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(w.reduce((a, b) => a + b, 0) / w.length)).toBeLessThan(0.005);
    expect(new Linear(3, 2, { bias: false }).bias).toBeNull();
  });

  it("computes x Wᵀ + b for any leading shape, with gradients", () => {
    const lin = new Linear(3, 2);
    const W = [
      [1, -2, 0.5],
      [0, 3, -1],
    ];
    const b = [0.25, -0.5];
    lin.loadStateDict({ weight: Tensor.from(W), bias: Tensor.from(b) });
    const X = [
      [1, 2, 3],
      [-1, 0.5, 2],
    ];
    const want = X.map((x) => W.map((w, o) => w.reduce((s, wi, i) => s + wi * x[i], b[o])));
    expectClose(lin.call(Tensor.from(X)).toArray() as M, want);
    const y3 = lin.call(Tensor.from([X, X])).toArray() as M[];
    expectClose(y3[1], want);

    // d(sum y)/dW[o][i] = sum over rows of x[i]; d/db[o] = rows
    lin.call(Tensor.from(X)).sum().backward();
    const colSums = [0, 1, 2].map((i) => X[0][i] + X[1][i]);
    expectClose(lin.weight.grad!.toArray() as M, [colSums, colSums]);
    expect(lin.bias!.grad!.toArray()).toEqual([2, 2]);
  });
});

describe("Embedding", () => {
  it("looks rows up for ids of any shape and starts N(0, 1)", () => {
    const e = new Embedding(1000, 20, { generator: new Generator(3) });
    const w = flat(e.weight);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(std - 1)).toBeLessThan(0.02);
    const ids = Tensor.from(
      [
        [5, 0],
        [999, 5],
      ],
      undefined,
      { dtype: "int32" },
    );
    const y = e.call(ids);
    expect(y.shape).toEqual([2, 2, 20]);
    const rows = e.weight.toArray() as M;
    const got = y.toArray() as M[];
    expect(got[0][0]).toEqual(rows[5]);
    expect(got[1][0]).toEqual(rows[999]);
    expect(got[1][1]).toEqual(rows[5]);
  });
});

describe("norms", () => {
  const X = [
    [1, 2, 3, 4],
    [-2, 0.5, 0, 10],
  ];
  const w = [0.5, 1, -1, 2];
  const bias = [0.1, 0, -0.2, 0.3];

  it("LayerNorm matches (x - mean) / sqrt(biased var + eps) * w + b", () => {
    const eps = 1e-5;
    const ln = new LayerNorm(4, { eps });
    ln.loadStateDict({ weight: Tensor.from(w), bias: Tensor.from(bias) });
    const want = X.map((x) => {
      const mu = x.reduce((a, b) => a + b, 0) / 4;
      const v = x.reduce((a, b) => a + (b - mu) ** 2, 0) / 4;
      return x.map((xi, i) => ((xi - mu) / Math.sqrt(v + eps)) * w[i] + bias[i]);
    });
    expectClose(ln.call(Tensor.from(X)).toArray() as M, want);
    // Fresh LayerNorm (weight 1, bias 0) and one without affine agree.
    const plain = new LayerNorm(4, { elementwiseAffine: false }).call(Tensor.from(X)).toArray() as M;
    expectClose(new LayerNorm(4).call(Tensor.from(X)).toArray() as M, plain);
    expect(new LayerNorm(4, { bias: false }).namedParameters().map(([n]) => n)).toEqual(["weight"]);
  });

  it("RMSNorm matches x / sqrt(mean(x²) + eps) * w", () => {
    const eps = 1e-6;
    const rn = new RMSNorm(4, { eps });
    rn.loadStateDict({ weight: Tensor.from(w) });
    const want = X.map((x) => {
      const ms = x.reduce((a, b) => a + b * b, 0) / 4;
      return x.map((xi, i) => (xi / Math.sqrt(ms + eps)) * w[i]);
    });
    expectClose(rn.call(Tensor.from(X)).toArray() as M, want);
  });
});

describe("Dropout", () => {
  it("drops about p of the elements and rescales while training; identity in eval", () => {
    const d = new Dropout(0.25, { generator: new Generator(5) });
    const x = Tensor.ones([10000]);
    const y = flat(d.call(x));
    const zeros = y.filter((v) => v === 0).length;
    expect(Math.abs(zeros / 10000 - 0.25)).toBeLessThan(0.02);
    expect(y.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    d.eval();
    expect(d.call(x)).toBe(x);
    expect(() => new Dropout(1)).toThrow(RangeError);
  });
});
