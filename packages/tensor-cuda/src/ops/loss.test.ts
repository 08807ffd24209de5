import { describe, expect, it } from "vitest";
import { crossEntropy, DTypeError, dropout, Generator, ShapeError, Tensor } from "../testing/core.js";
import { expectClose, gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";
import { mapRows } from "../testing/reference.js";

const int32 = (data: number[], shape?: number[]) =>
  Tensor.from(Int32Array.from(data), shape ?? [data.length]);

/** Per-row -log softmax(logits)[target] (0 where ignored), and smoothing as torch defines it. */
function nllRef(logits: number[], v: number, targets: number[], ignore: number, smoothing = 0): number[] {
  return mapRows(logits, v, (row, r) => {
    if (targets[r] === ignore) return [0];
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
    const logp = row.map((x) => x - lse);
    const nll = -logp[targets[r]];
    const smooth = -logp.reduce((a, x) => a + x, 0) / v;
    return [(1 - smoothing) * nll + smoothing * smooth];
  });
}

describe("crossEntropy", () => {
  const logitsShape = [2, 3, 5];
  const targets = [1, -100, 4, 0, -100, 2];

  it("mean over non-ignored targets, as torch.nn.functional.cross_entropy", () => {
    const x = randn32(logitsShape, 1);
    const per = nllRef(values(x), 5, targets, -100);
    const mean = per.reduce((a, b) => a + b, 0) / 4;
    expectClose(crossEntropy(x, int32(targets, [2, 3])), [mean], [], 1e-6);
    expectClose(crossEntropy(x, int32(targets, [2, 3]), { reduction: "sum" }), [mean * 4], [], 1e-5);
    expectClose(crossEntropy(x, int32(targets, [2, 3]), { reduction: "none" }), per, [2, 3], 1e-6);
  });

  it("a custom ignore index and int64 targets", () => {
    const x = randn32([4, 3], 2);
    const t = [2, 0, 0, 1];
    const per = nllRef(values(x), 3, t, 0);
    const got = crossEntropy(x, Tensor.from(BigInt64Array.from(t.map(BigInt)), [4]), { ignoreIndex: 0 });
    expectClose(got, [(per[0] + per[3]) / 2], [], 1e-6);
  });

  it("label smoothing", () => {
    const x = randn32([3, 4], 3);
    const t = [3, 1, -100];
    const per = nllRef(values(x), 4, t, -100, 0.1);
    expectClose(crossEntropy(x, int32(t), { labelSmoothing: 0.1 }), [(per[0] + per[1]) / 2], [], 1e-6);
  });

  it("backward matches finite differences (ignored rows get no gradient)", () => {
    const t = int32(targets, [2, 3]);
    gradcheck((l) => crossEntropy(l, t), [randn64(logitsShape, 4)]);
    gradcheck(
      (l) => crossEntropy(l, t, { reduction: "sum", labelSmoothing: 0.2 }),
      [randn64(logitsShape, 5)],
    );
    const l = randn32(logitsShape, 6).requiresGrad_();
    crossEntropy(l, t).backward();
    const g = values(l.grad!);
    expect(g.slice(5, 10).every((v) => v === 0)).toBe(true);
  });

  it("all targets ignored: mean is 0 (not NaN), with a zero gradient", () => {
    const l = randn32([2, 3], 7).requiresGrad_();
    const loss = crossEntropy(l, int32([-100, -100]));
    expect(loss.item()).toBe(0);
    loss.backward();
    expect(values(l.grad!).every((v) => v === 0)).toBe(true);
  });

  it("errors name the op, shapes and argument", () => {
    const x = Tensor.ones([2, 3]);
    expect(() => crossEntropy(x, int32([0, 1, 2]))).toThrow(ShapeError);
    expect(() => crossEntropy(x, int32([0, 1, 2]))).toThrow(
      /cross_entropy: targets \[3\] must be logits \[2, 3\]/,
    );
    expect(() => crossEntropy(x, Tensor.from([0, 1]))).toThrow(DTypeError);
    expect(() => crossEntropy(x, int32([0, 3]))).toThrow(
      /cross_entropy: target 3 is out of range for 3 classes/,
    );
  });
});

describe("dropout", () => {
  it("zeroes about p of the elements and scales the rest by 1/(1-p)", () => {
    const x = Tensor.ones([1000]);
    const y = values(dropout(x, 0.25, true, new Generator(1)));
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(200);
    expect(zeros).toBeLessThan(300);
    expect(y.filter((v) => v !== 0).every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
  });

  it("is reproducible from a seed and the identity when not training or p = 0", () => {
    const x = randn32([50], 1);
    expect(values(dropout(x, 0.5, true, new Generator(3)))).toEqual(
      values(dropout(x, 0.5, true, new Generator(3))),
    );
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(() => dropout(x, 1)).toThrow(/dropout: p must be in \[0, 1\), got 1/);
  });

  it("backward passes the gradient through the kept elements, scaled", () => {
    const x = randn32([20], 2).requiresGrad_();
    const y = dropout(x, 0.5, true, new Generator(5));
    y.sum().backward();
    const yv = values(y);
    expect(values(x.grad!)).toEqual(yv.map((v) => (v === 0 ? 0 : 2)));
    gradcheck((t) => dropout(t, 0.3, true, new Generator(9)), [randn64([4, 5], 3)]);
  });
});
