import { linalg } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { inverseHessianFactor } from "./inverse-hessian.js";

describe("inverseHessianFactor", () => {
  // H = B Bᵀ + I for a fixed B: symmetric positive definite.
  const n = 5;
  const B = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 1.7) + (i % 3));
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
      H[i * n + j] = s;
    }

  it("is upper triangular with Uᵀ·U·H = I (to float32 rounding)", () => {
    const U = inverseHessianFactor(Float32Array.from(H), n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i > j) expect(U[i * n + j]).toBe(0);
        let s = 0;
        for (let k = 0; k < n; k++) {
          let inv = 0;
          for (let t = 0; t < n; t++) inv += U[t * n + i] * U[t * n + k];
          s += inv * H[k * n + j];
        }
        expect(s).toBeCloseTo(i === j ? 1 : 0, 4);
      }
    }
  });

  it("says the damped Hessian is not positive definite, with the column", () => {
    const bad = Float32Array.of(1, 2, 2, 1);
    expect(() => inverseHessianFactor(bad, 2)).toThrow(linalg.NotPositiveDefiniteError);
    expect(() => inverseHessianFactor(bad, 2)).toThrow(
      /the damped Hessian \[2, 2\] is not positive definite: pivot 0/,
    );
  });
});
