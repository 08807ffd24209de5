import { describe, expect, it } from "vitest";
import { DTypeError, linear, matmul, matmulNT, ShapeError, Tensor } from "../testing/core.js";
import { expectClose, float32GradsMatch, gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";
import { matmulRef } from "../testing/reference.js";

const CASES: [string, number[], number[]][] = [
  ["[M,K]@[K,N]", [3, 4], [4, 5]],
  ["[B,M,K]@[K,N]", [2, 3, 4], [4, 5]],
  ["[B,M,K]@[B,K,N]", [2, 3, 4], [2, 4, 5]],
  ["[M,K]@[B,K,N]", [3, 4], [2, 4, 5]],
  ["[1,M,K]@[B,K,N]", [1, 3, 4], [2, 4, 5]],
  ["[B,M,K]@[1,K,N]", [2, 3, 4], [1, 4, 5]],
  ["[2,1,M,K]@[1,3,K,N]", [2, 1, 3, 4], [1, 3, 4, 5]],
  ["[2,1,M,K]@[3,K,N]", [2, 1, 3, 4], [3, 4, 5]],
  ["[2,3,M,K]@[3,K,N]", [2, 3, 2, 4], [3, 4, 5]],
  ["[K]@[K,N]", [4], [4, 5]],
  ["[M,K]@[K]", [3, 4], [4]],
  ["[K]@[K]", [4], [4]],
  ["[K]@[B,K,N]", [4], [2, 4, 5]],
  ["[B,M,K]@[K]", [2, 3, 4], [4]],
  ["[1,1]@[1,1]", [1, 1], [1, 1]],
  ["[M,1]@[1,N] (outer product)", [3, 1], [1, 2]],
];

describe("matmul", () => {
  for (const [name, sa, sb] of CASES) {
    it(`${name}: float32 forward matches a naive loop`, () => {
      const a = randn32(sa, 1);
      const b = randn32(sb, 2);
      const r = matmulRef(values(a), sa, values(b), sb);
      expectClose(matmul(a, b), r.data, r.shape, 1e-5, 1e-5);
      expectClose(a.matmul(b), r.data, r.shape, 1e-5, 1e-5);
    });
    it(`${name}: float64 forward and backward`, () => {
      const a = randn64(sa, 3);
      const b = randn64(sb, 4);
      const r = matmulRef(values(a), sa, values(b), sb);
      expectClose(matmul(a, b), r.data, r.shape, 1e-12, 1e-12);
      gradcheck((x, y) => matmul(x, y), [a, b]);
    });
    it(`${name}: float32 backward (ORT GEMMs) agrees with float64`, () => {
      float32GradsMatch((x, y) => matmul(x, y), [randn32(sa, 5), randn32(sb, 6)]);
    });
  }

  it("gradient wrt one operand only", () => {
    const w = randn64([4, 5], 5);
    gradcheck((x) => matmul(x, w), [randn64([2, 3, 4], 6)]);
    const x = randn64([2, 3, 4], 7);
    gradcheck((w2) => matmul(x, w2), [randn64([4, 5], 8)]);
  });

  it("K = 0 gives zeros; M = 0 gives an empty result", () => {
    const z = matmul(Tensor.zeros([2, 0]), Tensor.zeros([0, 3]));
    expect(z.shape).toEqual([2, 3]);
    expect(values(z)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matmul(Tensor.zeros([0, 4]), Tensor.ones([4, 2])).shape).toEqual([0, 2]);
  });

  it("inner-dimension mismatch is a ShapeError naming both shapes", () => {
    expect(() => matmul(Tensor.ones([2, 3]), Tensor.ones([4, 5]))).toThrow(ShapeError);
    expect(() => matmul(Tensor.ones([2, 3]), Tensor.ones([4, 5]))).toThrow(/matmul: .*\[2, 3\].*\[4, 5\]/);
    expect(() => matmul(Tensor.ones([2, 2, 3]), Tensor.ones([3, 3, 4]))).toThrow(/cannot be broadcast/);
  });

  it("dtype mismatch is a DTypeError naming the op, dtypes and shapes", () => {
    const a = Tensor.ones([2, 3]);
    const b = Tensor.ones([3, 2], { dtype: "float64" });
    expect(() => matmul(a, b)).toThrow(DTypeError);
    expect(() => matmul(a, b)).toThrow(/matmul: .*float32 \[2, 3\].*float64 \[3, 2\]/);
  });

  it("0-d operands are refused", () => {
    expect(() => matmul(Tensor.scalar(2), Tensor.ones([2]))).toThrow(ShapeError);
  });
});

describe("matmulNT", () => {
  it("a @ bᵀ: forward and backward, batched with broadcasting", () => {
    const a = randn64([2, 3, 4], 1);
    const b = randn64([5, 4], 2);
    const bt = b.transpose(0, 1);
    const r = matmulRef(values(a), [2, 3, 4], values(bt), [4, 5]);
    expectClose(matmulNT(a, b), r.data, r.shape, 1e-12);
    gradcheck((x, y) => matmulNT(x, y), [a, randn64([2, 5, 4], 3)]);
    gradcheck((x, y) => matmulNT(x, y), [a, b]);
    float32GradsMatch((x, y) => matmulNT(x, y), [randn32([2, 3, 4], 4), randn32([5, 4], 5)]);
    float32GradsMatch((x, y) => matmulNT(x, y), [randn32([2, 3, 4], 6), randn32([2, 5, 4], 7)]);
  });
});

describe("linear", () => {
  const cases: [string, number[]][] = [
    ["2-D input", [3, 4]],
    ["3-D input", [2, 3, 4]],
    ["1-D input", [4]],
  ];
  for (const [name, sx] of cases) {
    it(`${name}: y = x Wᵀ + b, forward and backward`, () => {
      const x = randn32(sx, 1);
      const w = randn32([5, 4], 2);
      const b = randn32([5], 3);
      const r = matmulRef(values(x), sx, values(w.transpose(0, 1)), [4, 5]);
      const bias = values(b);
      expectClose(
        linear(x, w, b),
        r.data.map((v, i) => v + bias[i % 5]),
        r.shape,
        1e-5,
      );
      expectClose(linear(x, w), r.data, r.shape, 1e-5);
      gradcheck((xx, ww, bb) => linear(xx, ww, bb), [x, w, b]);
      gradcheck((xx, ww) => linear(xx, ww), [x, w]);
      float32GradsMatch((xx, ww, bb) => linear(xx, ww, bb), [x, w, b]);
    });
  }

  it("shape errors name the arguments", () => {
    expect(() => linear(Tensor.ones([2, 3]), Tensor.ones([5, 4]))).toThrow(
      /linear: input \[2, 3\] has 3 features/,
    );
    expect(() => linear(Tensor.ones([2, 4]), Tensor.ones([5, 4]), Tensor.ones([4]))).toThrow(
      /linear: bias \[4\]/,
    );
  });
});
