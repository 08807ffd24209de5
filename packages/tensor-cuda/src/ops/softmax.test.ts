import { describe, expect, it } from "vitest";
import { causalSoftmax, DTypeError, logSoftmax, ShapeError, softmax, Tensor } from "../testing/core.js";
import { expectClose, gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";
import { mapRows, numelRef, ravel, softmaxRow, unravel } from "../testing/reference.js";

/** Softmax along any axis by moving it last, naively. */
function softmaxAlong(data: number[], shape: number[], axis: number, log: boolean): number[] {
  const out = new Array<number>(data.length);
  const n = shape[axis];
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    if (idx[axis] !== 0) continue;
    const pos = Array.from({ length: n }, (_, j) =>
      ravel(
        idx.map((v, d) => (d === axis ? j : v)),
        shape,
      ),
    );
    const p = softmaxRow(pos.map((q) => data[q]));
    pos.forEach((q, j) => {
      out[q] = log ? Math.log(p[j]) : p[j];
    });
  }
  return out;
}

describe("softmax / logSoftmax", () => {
  const shape = [2, 3, 4];
  for (const axis of [-1, 0, 1, 2]) {
    for (const log of [false, true]) {
      const name = log ? "logSoftmax" : "softmax";
      const f = (t: Tensor) => (log ? logSoftmax(t, axis) : softmax(t, axis));
      it(`${name} axis ${axis}: forward vs naive, backward vs finite differences`, () => {
        const x = randn32(shape, 11);
        const ax = axis < 0 ? axis + 3 : axis;
        expectClose(f(x), softmaxAlong(values(x), shape, ax, log), shape, 1e-6, 1e-5);
        gradcheck(f, [randn64(shape, 12)]);
      });
    }
  }

  it("fluent methods and default axis", () => {
    const x = randn32([2, 5], 1);
    expect(values(x.softmax())).toEqual(values(softmax(x, -1)));
    expect(values(x.logSoftmax(0))).toEqual(values(logSoftmax(x, 0)));
  });

  it("stable for large logits; rows sum to one", () => {
    const x = Tensor.from([
      [1000, 1001, 1002],
      [-1000, -1000, -1000],
    ]);
    const p = softmax(x);
    expectClose(p, [...softmaxRow([0, 1, 2]), 1 / 3, 1 / 3, 1 / 3], [2, 3], 1e-6);
    expectClose(
      logSoftmax(x),
      [...softmaxRow([0, 1, 2]).map(Math.log), ...[1, 1, 1].map(() => -Math.log(3))],
      [2, 3],
      1e-5,
    );
  });

  it("-inf entries get probability 0 and no gradient", () => {
    const x = Tensor.from([0, Number.NEGATIVE_INFINITY, 0], [3], { requiresGrad: true });
    const p = softmax(x);
    expect(values(p)).toEqual([0.5, 0, 0.5]);
    p.mul(Tensor.from([1, 2, 3]))
      .sum()
      .backward();
    expect(values(x.grad!)[1]).toBe(0);
  });

  it("0-d input gives 1 (and log 0)", () => {
    expect(softmax(Tensor.scalar(4)).item()).toBe(1);
    expect(logSoftmax(Tensor.scalar(4), 0).item()).toBe(0);
  });

  it("size-1 axis gives 1 (and log 0)", () => {
    expect(values(softmax(Tensor.from([[3], [4]]), 1))).toEqual([1, 1]);
    expect(values(logSoftmax(Tensor.from([[3], [4]]), 1))).toEqual([0, 0]);
  });

  it("refuses integer input, naming the op", () => {
    const i = Tensor.from([1, 2], [2], { dtype: "int32" });
    expect(() => softmax(i)).toThrow(DTypeError);
    expect(() => logSoftmax(i)).toThrow(/log_softmax: expected a float32 or float64 tensor, got int32/);
  });
});

describe("causalSoftmax", () => {
  /** Row-wise softmax where query i sees keys j <= i + offset; masked entries are 0. */
  function causalRef(data: number[], q: number, k: number, offset: number): number[] {
    return mapRows(data, k, (row, r) => {
      const lim = Math.min(k, (r % q) + offset + 1);
      const p = softmaxRow(row.slice(0, lim));
      return [...p, ...new Array(k - lim).fill(0)];
    });
  }

  for (const [q, k, offset] of [
    [4, 4, 0],
    [2, 5, 3],
    [1, 6, 5],
    [3, 5, undefined],
  ] as [number, number, number | undefined][]) {
    it(`[2, ${q}, ${k}] offset ${offset}: forward and backward`, () => {
      const x = randn32([2, q, k], 5);
      const off = offset ?? k - q;
      expectClose(causalSoftmax(x, offset), causalRef(values(x), q, k, off), [2, q, k], 1e-6, 1e-5);
      gradcheck((t) => causalSoftmax(t, offset), [randn64([2, q, k], 6)]);
    });
  }

  it("errors", () => {
    expect(() => causalSoftmax(Tensor.ones([3]))).toThrow(ShapeError);
    expect(numelRef([2])).toBe(2);
  });
});
