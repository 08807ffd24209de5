import { describe, expect, it } from "vitest";
import { cholesky, inverseHessianFactor, invertLowerTransposed, NotPositiveDefiniteError } from "./linalg.js";

describe("linalg", () => {
  // A = B Bᵀ + I for a fixed B: symmetric positive definite.
  const n = 5;
  const B = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 1.7) + (i % 3));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
      A[i * n + j] = s;
    }
  }

  it("cholesky reproduces A = L Lᵀ with L lower triangular", () => {
    const L = cholesky(A, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (j > i) expect(L[i * n + j]).toBe(0);
        let s = 0;
        for (let k = 0; k < n; k++) s += L[i * n + k] * L[j * n + k];
        expect(s).toBeCloseTo(A[i * n + j], 10);
      }
    }
  });

  it("gives A⁻¹ = L⁻ᵀL⁻¹, and an upper factor U with Uᵀ U = A⁻¹", () => {
    const Y = invertLowerTransposed(cholesky(A, n), n);
    const inv = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) inv[i * n + j] += Y[i * n + k] * Y[j * n + k];
    const U = inverseHessianFactor(Float32Array.from(A), n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += A[i * n + k] * inv[k * n + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
        if (i > j) expect(U[i * n + j]).toBe(0);
        let u = 0;
        for (let k = 0; k < n; k++) u += U[k * n + i] * U[k * n + j];
        expect(u).toBeCloseTo(inv[i * n + j], 5);
      }
    }
  });

  it("says so when the matrix is not positive definite", () => {
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2, "H")).toThrow(NotPositiveDefiniteError);
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2, "H")).toThrow(/H is not positive definite/);
  });
});
