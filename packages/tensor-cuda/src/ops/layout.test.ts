import { describe, expect, it } from "vitest";
import {
  cat,
  contiguous,
  DTypeError,
  expand,
  narrow,
  permute,
  reshape,
  ShapeError,
  slice,
  split,
  squeeze,
  stack,
  Tensor,
  transpose,
  unsqueeze,
} from "../testing/core.js";
import { gradcheck, randn64, values } from "../testing/gradcheck.js";
import { numelRef, ravel, unravel } from "../testing/reference.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const iota = (shape: number[]) => Tensor.from(Float32Array.from(range(numelRef(shape))), shape);

function permuteRef(data: number[], shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  return range(data.length).map((i) => {
    const o = unravel(i, outShape);
    const src = new Array<number>(shape.length);
    perm.forEach((p, d) => {
      src[p] = o[d];
    });
    return data[ravel(src, shape)];
  });
}

describe("reshape / view / flatten / squeeze / unsqueeze", () => {
  it("reshape keeps row-major order and infers one -1", () => {
    const x = iota([2, 3, 4]);
    expect(x.reshape([4, -1]).shape).toEqual([4, 6]);
    expect(values(x.reshape([6, 4]))).toEqual(range(24));
    expect(x.view([-1]).shape).toEqual([24]);
    expect(reshape(Tensor.scalar(5), [1, 1]).shape).toEqual([1, 1]);
    expect(Tensor.zeros([0, 3]).reshape([3, 0]).shape).toEqual([3, 0]);
  });

  it("reshape errors name the shapes", () => {
    const x = iota([2, 3]);
    expect(() => x.reshape([4, 2])).toThrow(/reshape: cannot reshape \[2, 3\] \(6 elements\)/);
    expect(() => x.reshape([-1, -1])).toThrow(ShapeError);
    expect(() => x.reshape([4, -1])).toThrow(ShapeError);
    expect(() => x.reshape([-2, -3])).toThrow(ShapeError);
  });

  it("flatten, squeeze, unsqueeze", () => {
    const x = iota([2, 1, 3, 1]);
    expect(x.flatten().shape).toEqual([6]);
    expect(Tensor.scalar(2).flatten().shape).toEqual([1]);
    expect(x.flatten(1, 2).shape).toEqual([2, 3, 1]);
    expect(squeeze(x).shape).toEqual([2, 3]);
    expect(squeeze(x, 1).shape).toEqual([2, 3, 1]);
    expect(squeeze(x, -1).shape).toEqual([2, 1, 3]);
    expect(squeeze(x, 0).shape).toEqual([2, 1, 3, 1]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 1, 3, 1]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 1, 3, 1, 1]);
    expect(unsqueeze(Tensor.scalar(1), 0).shape).toEqual([1]);
    expect(() => unsqueeze(x, 5)).toThrow(ShapeError);
    expect(() => squeeze(x, 4)).toThrow(/squeeze: axis 4 is out of range/);
  });

  it("backward of reshape-family ops", () => {
    gradcheck((t) => t.reshape([3, 4]).mul(t.reshape([3, 4])), [randn64([2, 6], 1)]);
    gradcheck((t) => t.unsqueeze(1).squeeze(1).flatten(), [randn64([2, 3], 2)]);
  });
});

describe("permute / transpose / contiguous", () => {
  const cases: number[][] = [
    [0, 1, 2],
    [2, 0, 1],
    [1, 0, 2],
    [0, 2, 1],
    [-1, -3, -2],
  ];
  for (const perm of cases) {
    it(`permute ${JSON.stringify(perm)}: values and backward`, () => {
      const x = iota([2, 3, 4]);
      const p = perm.map((a) => (a < 0 ? a + 3 : a));
      const y = permute(x, perm);
      expect(y.shape).toEqual(p.map((a) => [2, 3, 4][a]));
      expect(values(y)).toEqual(permuteRef(range(24), [2, 3, 4], p));
      gradcheck((t) => t.permute(perm), [randn64([2, 3, 4], 3)]);
    });
  }

  it("transpose defaults to the last two axes", () => {
    const x = iota([2, 3, 4]);
    expect(values(transpose(x))).toEqual(permuteRef(range(24), [2, 3, 4], [0, 2, 1]));
    expect(values(x.transpose(0, 2))).toEqual(permuteRef(range(24), [2, 3, 4], [2, 1, 0]));
    gradcheck((t) => t.transpose(0, -1), [randn64([2, 3, 4], 4)]);
  });

  it("contiguous is the identity on always-contiguous storage", () => {
    const x = iota([2, 3]).transpose();
    expect(values(contiguous(x))).toEqual(values(x));
    expect(values(x.contiguous())).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("permute errors", () => {
    expect(() => permute(iota([2, 3]), [0])).toThrow(/permute: 1 axes given for a tensor of rank 2/);
    expect(() => permute(iota([2, 3]), [0, 0])).toThrow(/not a permutation/);
  });
});

describe("slice / narrow / split", () => {
  it("slice with steps and negative bounds", () => {
    const x = iota([3, 6]);
    expect(values(slice(x, 1, 1, 5, 2))).toEqual([1, 3, 7, 9, 13, 15]);
    expect(values(x.slice(1, -2))).toEqual([4, 5, 10, 11, 16, 17]);
    expect(values(x.slice(0, 1, 2))).toEqual([6, 7, 8, 9, 10, 11]);
    expect(x.slice(1, 4, 2).shape).toEqual([3, 0]);
    expect(x.slice(1, -100, 100).shape).toEqual([3, 6]);
    expect(values(x.slice(-1, 0, 6, 4))).toEqual([0, 4, 6, 10, 12, 16]);
    expect(() => x.slice(1, 0, 6, 0)).toThrow(RangeError);
  });

  it("slice backward scatters into zeros", () => {
    gradcheck((t) => t.slice(1, 1, 5, 2), [randn64([3, 6], 1)]);
    gradcheck((t) => t.slice(0, -2).mul(t.slice(0, 0, 2)), [randn64([3, 2], 2)]);
  });

  it("narrow", () => {
    const x = iota([2, 5]);
    expect(values(narrow(x, 1, 1, 2))).toEqual([1, 2, 6, 7]);
    expect(() => narrow(x, 1, 4, 2)).toThrow(/narrow: \[4, 6\) is outside axis 1 of size 5/);
    gradcheck((t) => t.narrow(-1, 2, 3), [randn64([2, 5], 3)]);
  });

  it("split into equal and given sizes", () => {
    const x = iota([5, 2]);
    const parts = split(x, 2);
    expect(parts.map((p) => p.shape)).toEqual([
      [2, 2],
      [2, 2],
      [1, 2],
    ]);
    expect(values(parts[2])).toEqual([8, 9]);
    const q = x.split([1, 4], 0);
    expect(values(q[0])).toEqual([0, 1]);
    expect(x.split([1, 1], -1).map((p) => values(p))).toEqual([
      [0, 2, 4, 6, 8],
      [1, 3, 5, 7, 9],
    ]);
    expect(() => x.split([2, 2])).toThrow(/split: sizes \[2, 2\] do not add up to 5/);
    expect(() => x.split(0)).toThrow(ShapeError);
    gradcheck(
      (t) => {
        const [a, b] = t.split([2, 3], 0);
        return a.sum(0).mul(b.sum(0));
      },
      [randn64([5, 2], 4)],
    );
  });

  it("split backward: unused pieces get zeros, pieces used twice accumulate, split output mixes with other ops", () => {
    gradcheck(
      (t) => {
        const [a, , c] = t.split([1, 2, 2], 0);
        return a
          .mul(c.sum(0, true))
          .add(c.slice(0, 0, 1))
          .add(t.slice(0, 0, 1).square());
      },
      [randn64([5, 3], 9)],
    );
    const x = Tensor.ones([4], { dtype: "float64" }).requiresGrad_();
    const [p, q] = x.split(2);
    p.sum().backward();
    expect(values(x.grad!)).toEqual([1, 1, 0, 0]);
    q.mul(3).sum().backward();
    expect(values(x.grad!)).toEqual([1, 1, 3, 3]);
  });
});

describe("cat / stack", () => {
  it("cat along each axis (negative too)", () => {
    const a = iota([2, 2]);
    const b = iota([2, 1]).add(10);
    expect(values(cat([a, b], 1))).toEqual([0, 1, 10, 2, 3, 11]);
    expect(values(cat([a, b.transpose()], 0))).toEqual([0, 1, 2, 3, 10, 11]);
    expect(values(cat([a, b], -1))).toEqual([0, 1, 10, 2, 3, 11]);
    expect(cat([a, Tensor.zeros([2, 0])], 1).shape).toEqual([2, 2]);
  });

  it("cat backward splits the gradient, also for a repeated input", () => {
    gradcheck((x, y) => cat([x, y, x], 1), [randn64([2, 2], 1), randn64([2, 3], 2)]);
  });

  it("cat errors name the offending tensor", () => {
    expect(() => cat([iota([2, 2]), iota([3, 3])], 1)).toThrow(/cat: tensor 1 has shape \[3, 3\]/);
    expect(() => cat([iota([2]), Tensor.ones([2], { dtype: "float64" })])).toThrow(DTypeError);
    expect(() => cat([])).toThrow(ShapeError);
    expect(() => cat([Tensor.scalar(1), Tensor.scalar(2)])).toThrow(/cat: 0-d tensors/);
  });

  it("stack adds an axis", () => {
    const a = iota([2, 3]);
    const b = a.add(6);
    expect(stack([a, b]).shape).toEqual([2, 2, 3]);
    expect(values(stack([a, b], 0))).toEqual(range(12));
    expect(stack([a, b], -1).shape).toEqual([2, 3, 2]);
    expect(stack([Tensor.scalar(1), Tensor.scalar(2)]).shape).toEqual([2]);
    expect(() => stack([a, b], 3)).toThrow(/stack: axis 3 is out of range for tensors of shape \[2, 3\]/);
    expect(values(stack([a, b], 2))).toEqual([0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
    gradcheck((x, y) => stack([x, y], 1), [randn64([2, 3], 3), randn64([2, 3], 4)]);
  });
});

describe("expand", () => {
  it("broadcasts size-1 dims and adds leading ones", () => {
    const x = Tensor.from([[1], [2]]);
    expect(values(expand(x, [2, 3]))).toEqual([1, 1, 1, 2, 2, 2]);
    expect(values(x.expand([2, -1, 2]))).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
    expect(() => x.expand([3, 3])).toThrow(ShapeError);
    expect(() => x.expand([2, 1, 1]).shape).toThrow(ShapeError);
  });

  it("backward sums over the broadcast dims", () => {
    gradcheck((t) => t.expand([2, 3, 4]), [randn64([3, 1], 1)]);
    gradcheck((t) => t.expand([2, 1, 3]), [randn64([3], 2)]);
  });
});
