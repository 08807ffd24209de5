import { describe, expect, it } from "vitest";
import { add, DTypeError, div, gelu, mul, pow, ShapeError, sub, Tensor, where } from "../testing/core.js";
import { expectClose, gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";
import { binaryRef, erfRef } from "../testing/reference.js";

const XS = [-2.5, -1, -0.3, 0.2, 0.7, 1.9];
const POS = [0.2, 0.5, 1, 1.7, 3, 9];

const sigmoidRef = (x: number) => 1 / (1 + Math.exp(-x));
const UNARY: [string, (t: Tensor) => Tensor, (x: number) => number, number[]][] = [
  ["neg", (t) => t.neg(), (x) => -x, XS],
  ["exp", (t) => t.exp(), Math.exp, XS],
  ["log", (t) => t.log(), Math.log, POS],
  ["sqrt", (t) => t.sqrt(), Math.sqrt, POS],
  ["rsqrt", (t) => t.rsqrt(), (x) => 1 / Math.sqrt(x), POS],
  ["abs", (t) => t.abs(), Math.abs, XS],
  ["tanh", (t) => t.tanh(), Math.tanh, XS],
  ["sigmoid", (t) => t.sigmoid(), sigmoidRef, XS],
  ["relu", (t) => t.relu(), (x) => Math.max(x, 0), XS],
  ["gelu", (t) => t.gelu(), (x) => 0.5 * x * (1 + erfRef(x / Math.SQRT2)), XS],
  [
    "gelu_tanh",
    (t) => t.gelu("tanh"),
    (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    XS,
  ],
  ["silu", (t) => t.silu(), (x) => x * sigmoidRef(x), XS],
  ["sin", (t) => t.sin(), Math.sin, XS],
  ["cos", (t) => t.cos(), Math.cos, XS],
  ["square", (t) => t.square(), (x) => x * x, XS],
  ["reciprocal", (t) => t.reciprocal(), (x) => 1 / x, XS],
  ["pow(3)", (t) => t.pow(3), (x) => x ** 3, XS],
  ["pow(-0.5)", (t) => t.pow(-0.5), (x) => x ** -0.5, POS],
  ["pow(0.5)", (t) => t.pow(0.5), Math.sqrt, POS],
  ["pow(2)", (t) => t.pow(2), (x) => x * x, XS],
  ["clamp", (t) => t.clamp(-1.5, 1.2), (x) => Math.min(Math.max(x, -1.5), 1.2), XS],
];

describe("unary ops", () => {
  for (const [name, f, ref, xs] of UNARY) {
    it(`${name}: float32 forward matches Math`, () => {
      expectClose(
        f(Tensor.from(xs)),
        xs.map((x) => ref(Math.fround(x))),
        [xs.length],
        1e-6,
        1e-6,
      );
    });
    it(`${name}: backward matches finite differences`, () => {
      gradcheck(f, [Tensor.from(xs, [2, 3], { dtype: "float64" })]);
    });
  }

  it("gelu matches PyTorch values (exact and tanh)", () => {
    // torch.nn.functional.gelu(torch.tensor([-3., -0.5, 1., 2.]), approximate=...)
    expectClose(
      gelu(Tensor.from([-3, -0.5, 1, 2])),
      [-0.0040496, -0.1542687, 0.8413447, 1.9544997],
      [4],
      1e-6,
    );
    expectClose(
      gelu(Tensor.from([-3, -0.5, 1, 2]), "tanh"),
      [-0.0036374, -0.1542859, 0.841192, 1.9545977],
      [4],
      1e-6,
    );
  });

  it("gelu is float64-accurate in float64 (erf to < 1e-13)", () => {
    const xs = [-5, -2.2, -0.7, -1e-9, 0, 0.3, 1.1, 2.9, 4.5, 9];
    const ref = xs.map((x) => 0.5 * x * (1 + erfRef(x / Math.SQRT2)));
    expectClose(gelu(Tensor.from(xs, [xs.length], { dtype: "float64" })), ref, [xs.length], 1e-13, 1e-13);
  });

  it("gelu backward is accurate in float64 far from zero too", () => {
    gradcheck((x) => x.gelu(), [Tensor.from([-4, -2.2, 2.7, 5], [4], { dtype: "float64" })], {
      atol: 1e-9,
      rtol: 1e-7,
    });
  });

  it("sign/floor/round (half to even) forward; their gradient is zero, as in PyTorch", () => {
    const x = Tensor.from([-1.5, -0.5, 0, 0.5, 1.5, 2.5, 2.7]);
    expect(values(x.sign())).toEqual([-1, -1, 0, 1, 1, 1, 1]);
    expect(values(x.floor())).toEqual([-2, -1, 0, 0, 1, 2, 2]);
    expect(values(x.round())).toEqual([-2, -0, 0, 0, 2, 2, 3]);
    const p = Tensor.from([0.3, 1.6], [2], { requiresGrad: true });
    p.floor().add(p.round()).add(p.sign()).add(p).sum().backward();
    expect(values(p.grad!)).toEqual([1, 1]);
  });

  it("clamp with min > max gives max everywhere (torch.clamp)", () => {
    expect(values(Tensor.from([-1, 0, 5]).clamp(2, 1))).toEqual([1, 1, 1]);
  });

  it("clamp passes NaN through and works on int32", () => {
    expect(values(Tensor.from([Number.NaN, 3]).clamp(0, 1))).toEqual([Number.NaN, 1]);
    const i = Tensor.from([-5, 2, 9], [3], { dtype: "int32" }).clamp(0, 4);
    expect(i.dtype).toBe("int32");
    expect(values(i)).toEqual([0, 2, 4]);
  });

  it("float-valued unary ops on int32 compute in float32 (no silent truncation)", () => {
    const i = Tensor.from([1, 2, 4], [3], { dtype: "int32" });
    const s = i.sqrt();
    expect(s.dtype).toBe("float32");
    expectClose(s, [1, Math.SQRT2, 2], [3], 1e-6);
    expect(i.exp().dtype).toBe("float32");
    expect(i.neg().dtype).toBe("int32");
    expect(values(i.neg())).toEqual([-1, -2, -4]);
    expect(values(i.abs())).toEqual([1, 2, 4]);
  });

  it("pow with exponent 0 has a zero gradient, also at x = 0", () => {
    const x = Tensor.from([0, 2], [2], { requiresGrad: true });
    x.pow(0).sum().backward();
    expect(values(x.grad!)).toEqual([0, 0]);
  });
});

const BCAST_CASES: [number[], number[]][] = [
  [
    [3, 1, 4],
    [2, 1],
  ],
  [[2, 3], [3]],
  [[4], [2, 1]],
  [
    [2, 1, 3],
    [1, 4, 1],
  ],
  [[2, 3], []],
  [[], [3]],
  [
    [1, 1],
    [2, 3],
  ],
];

const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ["add", (a, b) => a.add(b), (x, y) => x + y],
  ["sub", (a, b) => a.sub(b), (x, y) => x - y],
  ["mul", (a, b) => a.mul(b), (x, y) => x * y],
  ["div", (a, b) => a.div(b), (x, y) => x / y],
  ["maximum", (a, b) => a.maximum(b), Math.max],
  ["minimum", (a, b) => a.minimum(b), Math.min],
];

describe("binary ops with broadcasting", () => {
  for (const [name, f, ref] of BINARY) {
    for (const [sa, sb] of BCAST_CASES) {
      it(`${name} ${JSON.stringify(sa)} ∘ ${JSON.stringify(sb)}: forward and backward`, () => {
        const a = randn32(sa, 1);
        const b = randn32(sb, 2).add(name === "div" ? 3 : 0);
        const r = binaryRef(values(a), sa, values(b), sb, (x, y) => Math.fround(ref(x, y)));
        expectClose(f(a, b), r.data, r.shape, 1e-6, 1e-6);
        gradcheck(f, [a, b]);
      });
    }
  }

  it("pow with tensor exponent: forward and gradient wrt both (broadcast)", () => {
    const a = Tensor.from([0.5, 1.5, 2.5, 3], [2, 2], { dtype: "float64" });
    const b = Tensor.from([-1.3, 2.2], [2], { dtype: "float64" });
    const r = binaryRef(values(a), [2, 2], values(b), [2], Math.pow);
    expectClose(pow(a, b), r.data, r.shape, 1e-12);
    gradcheck((x, y) => pow(x, y), [a, b]);
  });

  it("pow: gradient wrt the exponent is 0 where the base is 0 (PyTorch's masking)", () => {
    const a = Tensor.from([0, 2], [2]);
    const b = Tensor.from([2, 3], [2], { requiresGrad: true });
    pow(a, b).sum().backward();
    expectClose(b.grad!, [0, 8 * Math.log(2)], [2], 1e-5);
  });

  it("numbers on either side", () => {
    const x = Tensor.from([1, 2, 4]);
    expect(values(add(2, x))).toEqual([3, 4, 6]);
    expect(values(sub(1, x))).toEqual([0, -1, -3]);
    expect(values(div(1, x))).toEqual([1, 0.5, 0.25]);
    expect(values(mul(x, 3))).toEqual([3, 6, 12]);
    expect(values(pow(2, x))).toEqual([2, 4, 16]);
    gradcheck(
      (t) => div(1, t).add(sub(2, t)).add(pow(2, t)),
      [Tensor.from([0.5, 1.5], [2], { dtype: "float64" })],
    );
  });

  it("the same tensor on both sides accumulates both gradients", () => {
    gradcheck((t) => t.mul(t).add(t.div(t.add(3))), [randn64([3], 4)]);
  });

  it("dtype promotion: float32 with float64 is float64, int32 with float32 is float32", () => {
    const f32 = Tensor.from([1.5]);
    const f64 = Tensor.from([2.25], [1], { dtype: "float64" });
    const i32 = Tensor.from([3], [1], { dtype: "int32" });
    expect(f32.add(f64).dtype).toBe("float64");
    expect(i32.add(f32).dtype).toBe("float32");
    expect(values(i32.mul(f32))).toEqual([4.5]);
  });

  it("int32 arithmetic stays int32; division and fractional scalars give float32 (torch semantics)", () => {
    const a = Tensor.from([7, -7, 6], [3], { dtype: "int32" });
    const b = Tensor.from([2, 2, 3], [3], { dtype: "int32" });
    expect(a.add(b).dtype).toBe("int32");
    expect(values(a.add(b))).toEqual([9, -5, 9]);
    expect(values(a.sub(b))).toEqual([5, -9, 3]);
    expect(values(a.mul(b))).toEqual([14, -14, 18]);
    expect(values(a.mul(2))).toEqual([14, -14, 12]);
    const q = a.div(b);
    expect(q.dtype).toBe("float32");
    expect(values(q)).toEqual([3.5, -3.5, 2]);
    const h = a.mul(0.5);
    expect(h.dtype).toBe("float32");
    expect(values(h)).toEqual([3.5, -3.5, 3]);
    expect(values(a.add(0.5))).toEqual([7.5, -6.5, 6.5]);
  });

  it("maximum/minimum propagate NaN", () => {
    const a = Tensor.from([Number.NaN, 1, 2]);
    const b = Tensor.from([0, Number.NaN, 1]);
    expect(values(a.maximum(b))).toEqual([Number.NaN, Number.NaN, 2]);
    expect(values(a.minimum(b))).toEqual([Number.NaN, Number.NaN, 1]);
  });

  it("maximum/minimum split the gradient evenly on ties (torch)", () => {
    const a = Tensor.from([1, 2], [2], { requiresGrad: true });
    const b = Tensor.from([1, 3], [2], { requiresGrad: true });
    a.maximum(b).sum().backward();
    expect(values(a.grad!)).toEqual([0.5, 0]);
    expect(values(b.grad!)).toEqual([0.5, 1]);
  });

  it("size-0 and size-1 dims broadcast", () => {
    const e = Tensor.zeros([0, 3]).add(Tensor.ones([1, 3]));
    expect(e.shape).toEqual([0, 3]);
    expect(Tensor.ones([2, 1]).add(Tensor.ones([1, 1, 3])).shape).toEqual([1, 2, 3]);
  });

  it("shape mismatch raises a ShapeError naming the op and both shapes", () => {
    expect(() => Tensor.ones([2, 3]).add(Tensor.ones([4]))).toThrow(ShapeError);
    expect(() => Tensor.ones([2, 3]).mul(Tensor.ones([2, 4]))).toThrow(/mul: shapes \[2, 3\] and \[2, 4\]/);
  });

  it("storage-only dtypes are refused with a DTypeError naming the op", () => {
    const h = Tensor.from([1, 2]).cast("float16");
    expect(() => h.add(h)).toThrow(DTypeError);
    expect(() => h.exp()).toThrow(/exp: float16 is a storage type/);
  });
});

describe("comparisons and logic", () => {
  it("comparisons broadcast and return bool", () => {
    const a = Tensor.from([[1, 2, 3]]);
    const b = Tensor.from([[2], [1]]);
    const cases: [string, Tensor, (x: number, y: number) => boolean][] = [
      ["eq", a.eq(b), (x, y) => x === y],
      ["ne", a.ne(b), (x, y) => x !== y],
      ["lt", a.lt(b), (x, y) => x < y],
      ["le", a.le(b), (x, y) => x <= y],
      ["gt", a.gt(b), (x, y) => x > y],
      ["ge", a.ge(b), (x, y) => x >= y],
    ];
    for (const [name, got, ref] of cases) {
      expect(got.dtype, name).toBe("bool");
      expect(got.shape).toEqual([2, 3]);
      expect(values(got), name).toEqual(
        binaryRef([1, 2, 3], [1, 3], [2, 1], [2, 1], (x, y) => +ref(x, y)).data,
      );
    }
    expect(values(a.gt(2))).toEqual([0, 0, 1]);
  });

  it("comparisons with NaN are false except ne", () => {
    const n = Tensor.from([Number.NaN]);
    expect(values(n.eq(n))).toEqual([0]);
    expect(values(n.ne(n))).toEqual([1]);
    expect(values(n.lt(1))).toEqual([0]);
  });

  it("logicalAnd/Or/Not", () => {
    const a = Tensor.from([1, 0, 1, 0]).cast("bool");
    const b = Tensor.from([1, 1, 0, 0]).cast("bool");
    expect(values(a.logicalAnd(b))).toEqual([1, 0, 0, 0]);
    expect(values(a.logicalOr(b))).toEqual([1, 1, 1, 0]);
    expect(values(a.logicalNot())).toEqual([0, 1, 0, 1]);
    expect(a.logicalAnd(b).dtype).toBe("bool");
  });

  it("casting NaN to bool gives true, as in PyTorch", () => {
    expect(values(Tensor.from([Number.NaN, 0, -0, 2]).cast("bool"))).toEqual([1, 0, 0, 1]);
  });
});

describe("where", () => {
  it("broadcasts condition and branches", () => {
    const c = Tensor.from([1, 0, 1]).cast("bool");
    const a = Tensor.from([[1], [2]]);
    const b = Tensor.from([10, 20, 30]);
    const y = where(c, a, b);
    expect(y.shape).toEqual([2, 3]);
    expect(values(y)).toEqual([1, 20, 1, 2, 20, 2]);
    expect(values(where(c, 5, b))).toEqual([5, 20, 5]);
    expect(values(where(c, a, -1))).toEqual([1, -1, 1, 2, -1, 2]);
  });

  it("backward routes the gradient to the chosen branch (with broadcasting)", () => {
    const c = Tensor.from([1, 0, 1, 1, 0, 0], [2, 3]).cast("bool");
    gradcheck((a, b) => where(c, a, b).mul(2), [randn64([2, 1], 1), randn64([3], 2)]);
  });

  it("branch dtype mismatch is a DTypeError naming where", () => {
    const c = Tensor.from([1]).cast("bool");
    expect(() => where(c, Tensor.from([1]), Tensor.from([1], [1], { dtype: "float64" }))).toThrow(DTypeError);
    expect(() => where(c, Tensor.from([1]), Tensor.from([1], [1], { dtype: "float64" }))).toThrow(/where/);
  });
});
