import { Generator, linalg, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { randomizedSvd } from "./randomized-svd.js";

describe("randomizedSvd", () => {
  it("matches the exact leading triplets on a matrix with a decaying spectrum", () => {
    const [m, n] = [60, 40];
    const g = new Generator(8);
    const U = linalg
      .svd(Tensor.randn([m, n], { dtype: "float64", generator: g }))
      .U.dataSync() as Float64Array;
    const V = linalg
      .svd(Tensor.randn([n, n], { dtype: "float64", generator: g }))
      .U.dataSync() as Float64Array;
    const s = Array.from({ length: n }, (_, i) => 10 * 0.6 ** i);
    const a = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) a[i * n + j] += U[i * n + k] * s[k] * V[j * n + k];
    const r = randomizedSvd(Tensor.from(a, [m, n], { dtype: "float64" }), 5, { generator: new Generator(3) });
    expect(r.S.shape).toEqual([5]);
    const got = r.S.dataSync() as Float64Array;
    for (let i = 0; i < 5; i++) expect(got[i]).toBeCloseTo(s[i], 8);
    const u = r.U.dataSync() as Float64Array;
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++) {
        let d = 0;
        for (let k = 0; k < m; k++) d += u[k * 5 + i] * u[k * 5 + j];
        expect(d).toBeCloseTo(i === j ? 1 : 0, 10);
      }
  });
});
