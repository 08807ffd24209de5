import { Generator } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { cholesky, solvePositiveDefinite } from "./cholesky.js";
import { frobenius, type Matrix, matmul, sub, transpose, zeros } from "./matrix.js";
import { randomizedSvd, svdMatrix, truncate } from "./svd.js";

function random(rows: number, cols: number, seed: number): Matrix {
  const g = new Generator(seed);
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = g.normal();
  return m;
}

function reconstruct(U: Matrix, S: Float64Array, V: Matrix): Matrix {
  const us = zeros(U.rows, S.length);
  for (let i = 0; i < U.rows; i++)
    for (let j = 0; j < S.length; j++) us.data[i * S.length + j] = U.data[i * U.cols + j] * S[j];
  return matmul(us, transpose(V));
}

function orthonormalityError(Q: Matrix): number {
  const qtq = matmul(transpose(Q), Q);
  let e = 0;
  for (let i = 0; i < qtq.rows; i++)
    for (let j = 0; j < qtq.cols; j++)
      e = Math.max(e, Math.abs(qtq.data[i * qtq.cols + j] - (i === j ? 1 : 0)));
  return e;
}

describe("svdMatrix (one-sided Jacobi)", () => {
  for (const [m, n] of [
    [12, 7],
    [7, 12],
    [20, 20],
    [1, 5],
  ]) {
    it(`reconstructs a random ${m}×${n} matrix with orthonormal factors and sorted σ`, () => {
      const a = random(m, n, m * 31 + n);
      const { U, S, V } = svdMatrix(a);
      const k = Math.min(m, n);
      expect([U.rows, U.cols, V.rows, V.cols, S.length]).toEqual([m, k, n, k, k]);
      expect(frobenius(sub(reconstruct(U, S, V), a))).toBeLessThan(1e-12 * frobenius(a) + 1e-13);
      expect(orthonormalityError(U)).toBeLessThan(1e-12);
      expect(orthonormalityError(V)).toBeLessThan(1e-12);
      for (let i = 1; i < k; i++) expect(S[i]).toBeLessThanOrEqual(S[i - 1]);
      // Σσ² = ‖A‖²_F
      expect(Math.sqrt(S.reduce((s, x) => s + x * x, 0))).toBeCloseTo(frobenius(a), 10);
    });
  }

  it("finds known singular values, and completes U for a rank-deficient matrix", () => {
    // A = u vᵀ·3 + p qᵀ·1 with orthonormal u ⟂ p, v ⟂ q: σ = 3, 1, 0, 0.
    const a = zeros(5, 4);
    const u = [1, 1, 0, 0, 0].map((x) => x / Math.SQRT2);
    const p = [0, 0, 1, 0, 0];
    const v = [0.6, 0.8, 0, 0];
    const q = [0, 0, 0, 1];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) a.data[i * 4 + j] = 3 * u[i] * v[j] + p[i] * q[j];
    const { U, S, V } = svdMatrix(a);
    expect(Array.from(S).map((s) => Number(s.toFixed(12)))).toEqual([3, 1, 0, 0]);
    expect(orthonormalityError(U)).toBeLessThan(1e-12);
    expect(frobenius(sub(reconstruct(U, S, V), a))).toBeLessThan(1e-12);
  });

  it("truncation is Eckart–Young optimal: error = √(Σ discarded σ²), below any other rank-r fit", () => {
    const a = random(16, 10, 5);
    const full = svdMatrix(a);
    for (const r of [1, 3, 6]) {
      const t = truncate(full, r);
      const err = frobenius(sub(a, reconstruct(t.U, t.S, t.V)));
      const tail = Math.sqrt(Array.from(full.S.slice(r)).reduce((s, x) => s + x * x, 0));
      expect(err).toBeCloseTo(tail, 10);
      // Projections of A onto random r-dimensional subspaces do no better.
      for (let trial = 0; trial < 5; trial++) {
        const q = svdMatrix(random(16, r, 100 + trial)).U;
        const proj = matmul(q, matmul(transpose(q), a));
        expect(frobenius(sub(a, proj))).toBeGreaterThanOrEqual(tail - 1e-12);
      }
    }
  });

  it("randomizedSvd matches the exact leading triplets on a matrix with a decaying spectrum", () => {
    const g = new Generator(3);
    const m = 60;
    const n = 40;
    const a = zeros(m, n);
    const U = svdMatrix(random(m, n, 8)).U;
    const V = svdMatrix(random(n, n, 9)).U;
    const s = Array.from({ length: n }, (_, i) => 10 * 0.6 ** i);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) a.data[i * n + j] += U.data[i * n + k] * s[k] * V.data[j * n + k];
    const r = randomizedSvd(a, 5, { generator: g });
    for (let i = 0; i < 5; i++) expect(r.S[i]).toBeCloseTo(s[i], 8);
    expect(orthonormalityError(r.U)).toBeLessThan(1e-10);
  });
});

describe("cholesky", () => {
  it("factors a Gram matrix and solves with it", () => {
    const x = random(30, 6, 11);
    const g = matmul(transpose(x), x);
    const l = cholesky(g);
    expect(frobenius(sub(matmul(l, transpose(l)), g))).toBeLessThan(1e-10);
    const b = random(6, 2, 12);
    const sol = solvePositiveDefinite(g, b);
    expect(frobenius(sub(matmul(g, sol), b))).toBeLessThan(1e-10);
  });

  it("needs damping for a singular Gram matrix", () => {
    const x = random(3, 6, 13);
    const g = matmul(transpose(x), x);
    expect(() => cholesky(g)).toThrow(/pivot/);
    expect(() => cholesky(g, 0.01)).not.toThrow();
  });
});
