import {
  Generator,
  linalg,
  linear,
  matmul,
  nn,
  noGrad,
  square,
  sub,
  sum,
  type Tensor,
} from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { correlatedInputs, maxAbsDiff, structuredWeight } from "../test-utils.js";
import { decompose } from "./decompose.js";
import { groupedFromLinear, groupedLoraFromLinear } from "./from-linear.js";
import { gramOf } from "./gram.js";

function denseLinear(out: number, inF: number, seed: number): nn.Linear {
  const lin = new nn.Linear(inF, out, { generator: new Generator(seed) });
  lin.weight.assign(structuredWeight(out, inF, 4, seed));
  return lin;
}

const frobenius = (t: Tensor) => Math.sqrt(sum(square(t.cast("float64"))).item());
const msub = (a: Tensor, b: Tensor) => sub(a.cast("float64"), b.cast("float64"));
const tailNorm = (s: Tensor, from: number) =>
  Math.sqrt(
    Array.from(s.dataSync() as Float32Array)
      .slice(from)
      .reduce((a, x) => a + x * x, 0),
  );

const outputError = (x: Tensor, w: Tensor, w2: Tensor) =>
  noGrad(() => Math.sqrt(sum(square(sub(linear(x, w), linear(x, w2)))).item()));

describe("decompose (blocks + truncated SVD of the remainder)", () => {
  it("leaves exactly the discarded singular values of W − blockdiag(W) as error (Eckart–Young)", () => {
    const lin = denseLinear(24, 16, 1);
    const w = lin.weight;
    for (const rank of [1, 4, 8]) {
      const { module } = groupedLoraFromLinear(lin, 4, rank, { svd: "exact" });
      const err = frobenius(msub(w, module.denseWeight()));
      const remainder = msub(w, groupedFromLinear(lin, 4).denseWeight());
      const tail = tailNorm(linalg.svd(remainder).S, rank);
      expect(err).toBeCloseTo(tail, 4);
    }
    // Full rank of the remainder: exact.
    const { module } = groupedLoraFromLinear(lin, 4, 16, { svd: "exact", alpha: 4 });
    expect(maxAbsDiff(module.denseWeight(), lin.weight)).toBeLessThan(1e-5);
  });

  it("honours the permutation: the grouped part holds W's blocks in permuted column order", () => {
    const lin = denseLinear(8, 8, 2);
    const { module } = groupedLoraFromLinear(lin, 2, 8, { permutation: "shuffle" });
    expect(maxAbsDiff(module.denseWeight(), lin.weight)).toBeLessThan(1e-5);
    const g = groupedFromLinear(lin, 2, { permutation: "shuffle" });
    const d = g.denseWeight().dataSync() as Float32Array;
    const w = lin.weight.dataSync() as Float32Array;
    // Output 0 is in group 0, which reads the even channels (shuffle with 2 groups).
    for (let c = 0; c < 8; c++) expect(d[c]).toBe(c % 2 === 0 ? w[c] : 0);
    const x = correlatedInputs(10, 8, 3);
    expect(maxAbsDiff(module.call(x), lin.call(x))).toBeLessThan(1e-4);
  });

  it("whitened by XᵀX, it minimises output error rather than weight error", () => {
    const lin = denseLinear(32, 32, 4);
    const x = correlatedInputs(256, 32, 5);
    const plain = groupedLoraFromLinear(lin, 4, 4).module;
    const aware = groupedLoraFromLinear(lin, 4, 4, { calibration: x, damp: 1e-6 }).module;
    const ePlain = outputError(x, lin.weight, plain.denseWeight());
    const eAware = outputError(x, lin.weight, aware.denseWeight());
    expect(eAware).toBeLessThan(ePlain);
    // And the output error is exactly the discarded σ of the whitened remainder.
    const dec = decompose(lin.weight, { groups: 4, rank: 4, gram: gramOf(x), damp: 1e-9 });
    const tail = tailNorm(dec.singularValues, 4);
    expect(eAware).toBeCloseTo(tail, 2);
  });

  it("alternating refinement never increases the objective", () => {
    const lin = denseLinear(32, 32, 6);
    const x = correlatedInputs(200, 32, 7);
    const gram = gramOf(x);
    const w = lin.weight;
    let last = Number.POSITIVE_INFINITY;
    for (const refine of [0, 1, 3]) {
      for (const blocks of ["copy", "least-squares"] as const) {
        if (blocks === "copy" && refine > 0) continue;
        const dec = decompose(w, { groups: 4, rank: 3, gram, blocks, refine });
        const m = groupedLoraFromLinear(lin, 4, 3, { gram, blocks, refine }).module;
        const e = outputError(x, lin.weight, m.denseWeight());
        expect(e).toBeLessThanOrEqual(last * (1 + 1e-6));
        last = e;
        expect(dec.A.shape).toEqual([3, 32]);
      }
    }
    // Without data, refinement alternates the exact Frobenius minimisers.
    const e0 = frobenius(msub(w, groupedLoraFromLinear(lin, 4, 3).module.denseWeight()));
    const e3 = frobenius(msub(w, groupedLoraFromLinear(lin, 4, 3, { refine: 3 }).module.denseWeight()));
    expect(e3).toBeLessThanOrEqual(e0 + 1e-6);
  });

  it("randomized SVD gives nearly the exact truncation error on a large layer shape", () => {
    const lin = denseLinear(64, 48, 8);
    const w = lin.weight;
    const exact = decompose(w, { groups: 4, rank: 8, svd: "exact" });
    const approx = decompose(w, { groups: 4, rank: 8, svd: "randomized" });
    const err = (d: typeof exact) =>
      frobenius(msub(msub(w, groupedFromLinear(lin, 4).denseWeight()), matmul(d.B, d.A)));
    expect(err(approx)).toBeLessThan(err(exact) * 1.05);
  });
});
