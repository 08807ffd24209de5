import { describe, expect, it } from "vitest";
import {
  DTypeError,
  embedding,
  gather,
  indexSelect,
  ShapeError,
  scatterAdd,
  Tensor,
} from "../testing/core.js";
import { gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";

const int32 = (data: number[], shape?: number[]) =>
  Tensor.from(Int32Array.from(data), shape ?? [data.length]);

describe("gather", () => {
  it("picks along axis 1 and axis 0 (torch.gather semantics)", () => {
    const x = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(values(gather(x, 1, int32([2, 0, 1, 1], [2, 2])))).toEqual([3, 1, 5, 5]);
    expect(values(x.gather(0, int32([1, 0, 1], [1, 3])))).toEqual([4, 2, 6]);
    expect(values(x.gather(-1, int32([0, 2], [2, 1])))).toEqual([1, 6]);
  });

  it("accepts int64 indices", () => {
    const x = Tensor.from([10, 20, 30]);
    const i = Tensor.from(BigInt64Array.from([2n, 0n]), [2]);
    expect(values(gather(x, 0, i))).toEqual([30, 10]);
  });

  it("backward scatters (and accumulates repeated indices)", () => {
    const idx = int32([0, 0, 2, 1, 1, 1], [2, 3]);
    gradcheck((t) => gather(t, 1, idx), [randn64([2, 3], 1)]);
    gradcheck((t) => gather(t, 0, int32([1, 0, 1], [1, 3])), [randn64([2, 3], 2)]);
  });

  it("errors: index dtype, shape and range", () => {
    const x = Tensor.ones([2, 3]);
    expect(() => gather(x, 1, Tensor.from([[0]]))).toThrow(DTypeError);
    expect(() => gather(x, 1, Tensor.from([[0]]))).toThrow(
      /gather: index must be int32 or int64, got float32/,
    );
    expect(() => gather(x, 1, int32([0, 1, 0], [3, 1]))).toThrow(ShapeError);
    expect(() => gather(x, 1, int32([5, 0], [2, 1]))).toThrow(
      /gather: index 5 is out of range for a dimension of size 3/,
    );
  });
});

describe("scatterAdd", () => {
  it("adds src into a copy of base at the indexed positions", () => {
    const base = Tensor.from([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    const idx = int32([0, 0, 2, 1], [2, 2]);
    const src = Tensor.from([
      [10, 20],
      [30, 40],
    ]);
    expect(values(scatterAdd(base, 1, idx, src))).toEqual([31, 1, 1, 2, 42, 32]);
    expect(values(base)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(values(base.scatterAdd(0, int32([1, 1, 0], [1, 3]), Tensor.from([[5, 6, 7]])))).toEqual([
      1, 1, 8, 7, 8, 2,
    ]);
  });

  it("backward: identity to base, gather to src", () => {
    const idx = int32([0, 0, 2, 1], [2, 2]);
    gradcheck((b, s) => scatterAdd(b, 1, idx, s), [randn64([2, 3], 1), randn64([2, 2], 2)]);
  });

  it("errors name the op and shapes", () => {
    const base = Tensor.zeros([2, 3]);
    expect(() => scatterAdd(base, 1, int32([0, 1], [2, 1]), Tensor.ones([2, 2]))).toThrow(
      /scatter_add: index \[2, 1\] and src \[2, 2\]/,
    );
    expect(() => scatterAdd(base, 1, int32([0, 1], [2, 1]), Tensor.ones([2, 1, 1]))).toThrow(ShapeError);
    expect(() =>
      scatterAdd(base, 1, int32([0, 1], [2, 1]), Tensor.ones([2, 1], { dtype: "float64" })),
    ).toThrow(DTypeError);
  });
});

describe("indexSelect / embedding", () => {
  it("selects rows and columns, repeated and negative indices", () => {
    const x = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(values(indexSelect(x, 0, int32([1, 1, 0])))).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
    expect(values(x.indexSelect(1, int32([2, 0])))).toEqual([3, 1, 6, 4]);
    expect(values(x.indexSelect(-1, int32([-1])))).toEqual([3, 6]);
    expect(indexSelect(x, 0, int32([])).shape).toEqual([0, 3]);
  });

  it("backward accumulates repeated rows", () => {
    gradcheck((t) => indexSelect(t, 0, int32([1, 1, 0])), [randn64([3, 2], 1)]);
    gradcheck((t) => indexSelect(t, 1, int32([2, 0, 2])), [randn64([2, 3], 2)]);
  });

  it("embedding looks up ids of any shape", () => {
    const w = randn32([5, 3], 3);
    const ids = int32([4, 0, 4, 2], [2, 2]);
    const e = embedding(w, ids);
    expect(e.shape).toEqual([2, 2, 3]);
    const wv = values(w);
    expect(values(e)).toEqual([4, 0, 4, 2].flatMap((i) => wv.slice(i * 3, i * 3 + 3)));
    gradcheck((t) => embedding(t, ids), [randn64([5, 3], 4)]);
  });

  it("errors", () => {
    const x = Tensor.ones([2, 3]);
    expect(() => indexSelect(x, 0, int32([0, 1], [1, 2]))).toThrow(
      /index_select: index must be 1-D, got \[1, 2\]/,
    );
    expect(() => indexSelect(x, 0, int32([2]))).toThrow(/index_select: index 2 is out of range/);
    expect(() => embedding(Tensor.ones([3]), int32([0]))).toThrow(
      /embedding: weight must be \[vocab, dim\], got \[3\]/,
    );
    expect(() => embedding(Tensor.ones([3, 2]), Tensor.from([0.5]))).toThrow(DTypeError);
  });
});
