import { describe, expect, it } from "vitest";
import { DTypeError, layerNorm, rmsNorm, ShapeError, Tensor } from "../testing/core.js";
import { expectClose, gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";
import { mapRows } from "../testing/reference.js";

function layerNormRef(
  x: number[],
  cols: number,
  w: number[] | null,
  b: number[] | null,
  eps: number,
): number[] {
  return mapRows(x, cols, (row) => {
    const mu = row.reduce((a, v) => a + v, 0) / cols;
    const v = row.reduce((a, t) => a + (t - mu) ** 2, 0) / cols;
    return row.map((t, j) => ((t - mu) / Math.sqrt(v + eps)) * (w ? w[j] : 1) + (b ? b[j] : 0));
  });
}

function rmsNormRef(x: number[], cols: number, w: number[] | null, eps: number): number[] {
  return mapRows(x, cols, (row) => {
    const ms = row.reduce((a, t) => a + t * t, 0) / cols;
    return row.map((t, j) => (t / Math.sqrt(ms + eps)) * (w ? w[j] : 1));
  });
}

describe("layerNorm", () => {
  for (const shape of [[3, 5], [2, 3, 4], [4], [2, 1]]) {
    const cols = shape[shape.length - 1];
    it(`${JSON.stringify(shape)}: forward vs naive (with/without affine), backward`, () => {
      const x = randn32(shape, 1).mul(3).add(1);
      const w = randn32([cols], 2);
      const b = randn32([cols], 3);
      expectClose(
        layerNorm(x, w, b),
        layerNormRef(values(x), cols, values(w), values(b), 1e-5),
        shape,
        1e-5,
        1e-5,
      );
      expectClose(layerNorm(x), layerNormRef(values(x), cols, null, null, 1e-5), shape, 1e-5, 1e-5);
      expectClose(
        layerNorm(x, null, b, 0.1),
        layerNormRef(values(x), cols, null, values(b), 0.1),
        shape,
        1e-5,
      );
      if (cols > 1) {
        gradcheck(
          (t, ww, bb) => layerNorm(t, ww, bb),
          [randn64(shape, 4), randn64([cols], 5), randn64([cols], 6)],
        );
        gradcheck((t) => layerNorm(t), [randn64(shape, 7)]);
        gradcheck((t, bb) => layerNorm(t, null, bb), [randn64(shape, 8), randn64([cols], 9)]);
      }
    });
  }

  it("float64 keeps float64 precision (statistics are not rounded to float32)", () => {
    const x = Tensor.from([1e4 + 0.1, 1e4 + 0.2, 1e4 + 0.4], [3], { dtype: "float64" });
    const y = layerNorm(x, null, null, 0);
    expectClose(y, layerNormRef(values(x), 3, null, null, 0), [3], 1e-10, 1e-10);
  });

  it("errors name the op and the argument", () => {
    expect(() => layerNorm(Tensor.ones([2, 3]), Tensor.ones([4]))).toThrow(
      /layer_norm: weight \[4\] does not match the last axis of input \[2, 3\]/,
    );
    expect(() => layerNorm(Tensor.ones([2, 3]), null, Tensor.ones([2]))).toThrow(/layer_norm: bias \[2\]/);
    expect(() => layerNorm(Tensor.ones([2], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => layerNorm(Tensor.ones([2, 3]), Tensor.ones([3], { dtype: "float64" }))).toThrow(
      /layer_norm: weight/,
    );
  });
});

describe("rmsNorm", () => {
  for (const shape of [[3, 5], [2, 3, 4], [6]]) {
    const cols = shape[shape.length - 1];
    it(`${JSON.stringify(shape)}: forward vs naive, backward`, () => {
      const x = randn32(shape, 1);
      const w = randn32([cols], 2);
      expectClose(rmsNorm(x, w), rmsNormRef(values(x), cols, values(w), 1e-6), shape, 1e-5, 1e-5);
      expectClose(rmsNorm(x), rmsNormRef(values(x), cols, null, 1e-6), shape, 1e-5, 1e-5);
      expectClose(rmsNorm(x, w, 0.5), rmsNormRef(values(x), cols, values(w), 0.5), shape, 1e-5, 1e-5);
      gradcheck((t, ww) => rmsNorm(t, ww), [randn64(shape, 3), randn64([cols], 4)]);
      gradcheck((t) => rmsNorm(t), [randn64(shape, 5)]);
    });
  }

  it("float64 forward is exact to float64 (no float32 rounding)", () => {
    const x = randn64([2, 4], 9);
    const w = randn64([4], 10);
    expectClose(rmsNorm(x, w), rmsNormRef(values(x), 4, values(w), 1e-6), [2, 4], 1e-13, 1e-13);
  });

  it("errors", () => {
    expect(() => rmsNorm(Tensor.ones([2, 3]), Tensor.ones([2]))).toThrow(ShapeError);
    expect(() => rmsNorm(Tensor.ones([2, 3]), Tensor.ones([2]))).toThrow(/rms_norm: weight \[2\]/);
    expect(values(rmsNorm(Tensor.zeros([1, 2])))).toEqual([0, 0]);
  });
});
