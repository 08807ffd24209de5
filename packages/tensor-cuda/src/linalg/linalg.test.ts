import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lapack } from "../backend/cpu/linalg/lapack.js";
import { DTypeError, Generator, linalg, ShapeError, Tensor } from "../index.js";

/*
 * Every op on both CPU paths: LAPACK from the system OpenBLAS, and the blocked / block-Jacobi
 * fallback forced with SHRINKRAY_LINALG=blocked (as CI runs it on every machine). Sizes above 64
 * and 128 exercise the fallback's recursion and its block pairs. References: reconstructions,
 * orthogonality, and matrices whose factors are known in closed form.
 */
type F = Float64Array;
const haveLapack = lapack() !== null;
if (!haveLapack)
  console.warn("linalg: no system OpenBLAS (apt-get install libopenblas0-pthread): LAPACK path skipped");

function random(rows: number, cols: number, seed: number): F {
  const g = new Generator(seed);
  return Float64Array.from({ length: rows * cols }, () => g.normal());
}
function matmul(a: F, b: F, m: number, k: number, n: number): F {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) {
      const av = a[i * k + t];
      for (let j = 0; j < n; j++) out[i * n + j] += av * b[t * n + j];
    }
  return out;
}
function transpose(a: ArrayLike<number>, rows: number, cols: number): F {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
/** A·Aᵀ/n + I: symmetric positive definite. */
function spd(n: number, seed: number): F {
  const x = random(n, n, seed);
  const a = matmul(x, transpose(x, n, n), n, n, n);
  for (let i = 0; i < n * n; i++) a[i] /= n;
  for (let i = 0; i < n; i++) a[i * n + i] += 1;
  return a;
}
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
function maxAbs(a: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]));
  return d;
}
function eye(n: number): F {
  return Float64Array.from({ length: n * n }, (_, i) => +(i % (n + 1) === 0));
}
function identityError(q: F, rows: number, cols: number): number {
  const qtq = matmul(transpose(q, rows, cols), q, cols, rows, cols);
  let e = 0;
  for (let i = 0; i < cols; i++)
    for (let j = 0; j < cols; j++) e = Math.max(e, Math.abs(qtq[i * cols + j] - +(i === j)));
  return e;
}
const t64 = (a: F, shape: number[]) => Tensor.from(a.slice(), shape, { dtype: "float64" });
const data = (t: Tensor) => Float64Array.from(t.dataSync() as ArrayLike<number>);
/** Lower (or upper) triangle only, the rest zero; a well-conditioned triangular matrix. */
function triangular(n: number, seed: number, upper: boolean): F {
  const a = random(n, n, seed);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (upper ? j < i : j > i) a[i * n + j] = 0;
      else a[i * n + j] /= Math.sqrt(n);
    }
  for (let i = 0; i < n; i++) a[i * n + i] = 2 + Math.abs(a[i * n + i]);
  return a;
}

const paths = [
  { name: "LAPACK", env: "lapack", skip: !haveLapack },
  { name: "blocked fallback", env: "blocked", skip: false },
];

for (const path of paths) {
  describe.skipIf(path.skip)(`linalg on the CPU: ${path.name}`, () => {
    const before = process.env.SHRINKRAY_LINALG;
    beforeAll(() => {
      process.env.SHRINKRAY_LINALG = path.env;
    });
    afterAll(() => {
      if (before === undefined) delete process.env.SHRINKRAY_LINALG;
      else process.env.SHRINKRAY_LINALG = before;
    });

    it("says which implementation runs", () => {
      expect(linalg.implementation()).toMatch(path.env === "lapack" ? /^LAPACK/ : /^blocked/);
    });

    it("cholesky reconstructs A = L·Lᵀ and A = Uᵀ·U (float64 and float32)", () => {
      for (const n of [1, 5, 64, 65, 200]) {
        const a = spd(n, n);
        const L = data(linalg.cholesky(t64(a, [n, n])));
        let upperPart = 0;
        for (let i = 0; i < n; i++)
          for (let j = i + 1; j < n; j++) upperPart = Math.max(upperPart, Math.abs(L[i * n + j]));
        expect(upperPart).toBe(0);
        expect(maxAbsDiff(matmul(L, transpose(L, n, n), n, n, n), a)).toBeLessThan(1e-12 * maxAbs(a) * n);
        const U = data(linalg.cholesky(t64(a, [n, n]), { upper: true }));
        expect(maxAbsDiff(U, transpose(L, n, n))).toBeLessThan(1e-12);
        const L32 = linalg.cholesky(Tensor.from(Float32Array.from(a), [n, n]));
        expect(L32.dtype).toBe("float32");
        expect(maxAbsDiff(data(L32), L)).toBeLessThan(1e-4);
      }
    });

    it("cholesky reads only its triangle and matches the known factor of the Pascal matrix", () => {
      // P[i][j] = C(i+j, i) = L·Lᵀ with L[i][j] = C(i, j): exact integers.
      const n = 12;
      const binom = (a: number, b: number) => {
        let r = 1;
        for (let k = 1; k <= b; k++) r = (r * (a - b + k)) / k;
        return r;
      };
      const p = new Float64Array(n * n);
      const l = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          p[i * n + j] = j > i ? Number.NaN : binom(i + j, i); // the upper triangle is never read
          l[i * n + j] = j <= i ? binom(i, j) : 0;
        }
      expect(maxAbsDiff(data(linalg.cholesky(t64(p, [n, n]))), l)).toBeLessThan(1e-6);
    });

    it("names the matrix and the pivot when it is not positive definite", () => {
      const n = 150;
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) a[i * n + i] = i === 100 ? -1 : 1;
      const run = () => linalg.cholesky(t64(a, [n, n]), { name: "the damped Hessian" });
      expect(run).toThrow(linalg.NotPositiveDefiniteError);
      expect(run).toThrow(/the damped Hessian \[150, 150\] is not positive definite: pivot 100/);
      try {
        run();
      } catch (e) {
        expect((e as linalg.NotPositiveDefiniteError).pivot).toBe(100);
      }
    });

    it("triangularInverse inverts lower, upper and unit-diagonal matrices", () => {
      for (const n of [3, 64, 150]) {
        for (const upper of [false, true]) {
          const a = triangular(n, n + +upper, upper);
          const x = data(linalg.triangularInverse(t64(a, [n, n]), { upper }));
          expect(maxAbsDiff(matmul(a, x, n, n, n), eye(n))).toBeLessThan(1e-12);
          let outside = 0;
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++)
              if (upper ? j < i : j > i) outside = Math.max(outside, Math.abs(x[i * n + j]));
          expect(outside).toBe(0);
          const unit = data(linalg.triangularInverse(t64(a, [n, n]), { upper, unitDiagonal: true }));
          const a1 = a.slice();
          for (let i = 0; i < n; i++) a1[i * n + i] = 1;
          expect(maxAbsDiff(matmul(a1, unit, n, n, n), eye(n))).toBeLessThan(1e-9);
        }
      }
      const singular = Float64Array.of(1, 0, 2, 0);
      expect(() => linalg.triangularInverse(t64(singular, [2, 2]), { name: "L" })).toThrow(
        /L \[2, 2\] is singular: diagonal entry 1 is zero/,
      );
    });

    it("solveTriangular solves every side, triangle and transpose", () => {
      const n = 130;
      const k = 7;
      for (const upper of [false, true])
        for (const left of [false, true])
          for (const transpose_ of [false, true]) {
            const a = triangular(n, 3 + +upper, upper);
            const b = random(left ? n : k, left ? k : n, 9);
            const x = data(
              linalg.solveTriangular(t64(a, [n, n]), t64(b, left ? [n, k] : [k, n]), {
                upper,
                left,
                transpose: transpose_,
              }),
            );
            const op = transpose_ ? transpose(a, n, n) : a;
            const back = left ? matmul(op, x, n, n, k) : matmul(x, op, k, n, n);
            expect(maxAbsDiff(back, b), `upper ${upper} left ${left} transpose ${transpose_}`).toBeLessThan(
              1e-12,
            );
          }
    });

    it("eigh diagonalises symmetric matrices, eigenvalues ascending", () => {
      for (const n of [1, 6, 70, 150]) {
        const x = random(n, n, 40 + n);
        const a = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = x[i * n + j] + x[j * n + i];
        const { values, vectors } = linalg.eigh(t64(a, [n, n]));
        const w = data(values);
        const v = data(vectors);
        for (let i = 1; i < n; i++) expect(w[i]).toBeGreaterThanOrEqual(w[i - 1]);
        expect(identityError(v, n, n)).toBeLessThan(1e-11);
        const av = matmul(a, v, n, n, n);
        const vl = v.map((e, i) => e * w[i % n]);
        expect(maxAbsDiff(av, vl)).toBeLessThan(1e-11 * maxAbs(a) * Math.sqrt(n));
      }
    });

    it("eigh finds the known spectrum of the [-1, 2, -1] second-difference matrix", () => {
      const n = 100;
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        a[i * n + i] = 2;
        if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
      }
      const w = data(linalg.eigh(t64(a, [n, n])).values);
      const known = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
      expect(maxAbsDiff(w, known)).toBeLessThan(1e-12);
    });

    it("svd reconstructs A = U·diag(S)·Vh with orthonormal factors, economy and full", () => {
      for (const [m, n] of [
        [12, 7],
        [7, 12],
        [150, 90],
        [90, 150],
        [1, 5],
      ]) {
        const a = random(m, n, m * 31 + n);
        const k = Math.min(m, n);
        for (const full of [false, true]) {
          const r = linalg.svd(t64(a, [m, n]), { full });
          const uc = full ? m : k;
          const vr = full ? n : k;
          expect(r.U.shape).toEqual([m, uc]);
          expect(r.Vh.shape).toEqual([vr, n]);
          const u = data(r.U);
          const s = data(r.S);
          const vh = data(r.Vh);
          for (let i = 1; i < k; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
          expect(identityError(u, m, uc)).toBeLessThan(1e-11);
          expect(identityError(transpose(vh, vr, n), n, vr)).toBeLessThan(1e-11);
          const us = new Float64Array(m * k);
          for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us[i * k + j] = u[i * uc + j] * s[j];
          const back = matmul(us, vh.subarray(0, k * n), m, k, n);
          expect(maxAbsDiff(back, a), `${m}x${n} full ${full}`).toBeLessThan(
            1e-11 * maxAbs(a) * Math.sqrt(m + n),
          );
        }
      }
    });

    it("svd finds known singular values of a rank-deficient matrix and keeps the leading rank", () => {
      // A = 3·u·vᵀ + 1·p·qᵀ with orthonormal u ⟂ p, v ⟂ q: σ = 3, 1, 0, 0.
      const u = [1, 1, 0, 0, 0].map((x) => x / Math.SQRT2);
      const p = [0, 0, 1, 0, 0];
      const v = [0.6, 0.8, 0, 0];
      const q = [0, 0, 0, 1];
      const a = new Float64Array(20);
      for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) a[i * 4 + j] = 3 * u[i] * v[j] + p[i] * q[j];
      const r = linalg.svd(t64(a, [5, 4]));
      expect(maxAbsDiff(data(r.S), [3, 1, 0, 0])).toBeLessThan(1e-12);
      expect(identityError(data(r.U), 5, 4)).toBeLessThan(1e-12);
      const top = linalg.svd(t64(a, [5, 4]), { rank: 1 });
      expect(top.U.shape).toEqual([5, 1]);
      expect(top.Vh.shape).toEqual([1, 4]);
      const u0 = data(top.U);
      const sign = Math.sign(u0[0]);
      expect(
        maxAbsDiff(
          Array.from(u0, (x) => x * sign),
          u,
        ),
      ).toBeLessThan(1e-12);
      expect(
        maxAbsDiff(
          Array.from(data(top.Vh), (x) => x * sign),
          v,
        ),
      ).toBeLessThan(1e-12);
    });

    it("svd in float32 agrees with float64", () => {
      const [m, n] = [80, 40];
      const a = random(m, n, 77);
      const s64 = data(linalg.svd(t64(a, [m, n])).S);
      const s32 = linalg.svd(Tensor.from(Float32Array.from(a), [m, n])).S;
      expect(s32.dtype).toBe("float32");
      expect(maxAbsDiff(data(s32), s64)).toBeLessThan(1e-4 * s64[0]);
    });

    it("choleskyOfInverse gives the upper U with A⁻¹ = Uᵀ·U", () => {
      for (const n of [4, 150]) {
        const a = spd(n, 7 + n);
        const u = data(linalg.choleskyOfInverse(t64(a, [n, n])));
        let lowerPart = 0;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < i; j++) lowerPart = Math.max(lowerPart, Math.abs(u[i * n + j]));
        expect(lowerPart).toBe(0);
        const inv = matmul(transpose(u, n, n), u, n, n, n);
        expect(maxAbsDiff(matmul(a, inv, n, n, n), eye(n))).toBeLessThan(1e-11);
      }
      const bad = Float64Array.of(1, 0, 0, 0, -1, 0, 0, 0, 1);
      // Pivot counts A's rows: the reversed factorisation fails at row 1 of A.
      expect(() => linalg.choleskyOfInverse(t64(bad, [3, 3]), { name: "H" })).toThrow(/H \[3, 3\].*pivot 1/);
    });
  });
}

describe.skipIf(!haveLapack)("linalg: LAPACK and the blocked fallback agree", () => {
  const on = <T>(env: string, fn: () => T): T => {
    const before = process.env.SHRINKRAY_LINALG;
    process.env.SHRINKRAY_LINALG = env;
    try {
      return fn();
    } finally {
      if (before === undefined) delete process.env.SHRINKRAY_LINALG;
      else process.env.SHRINKRAY_LINALG = before;
    }
  };
  it("on factors, inverses, solves, eigenvalues and singular values", () => {
    const n = 140;
    const a = t64(spd(n, 3), [n, n]);
    const both = <T>(fn: () => T): [T, T] => [on("lapack", fn), on("blocked", fn)];
    const [l1, l2] = both(() => data(linalg.cholesky(a)));
    expect(maxAbsDiff(l1, l2)).toBeLessThan(1e-12);
    const l = t64(l1, [n, n]);
    const [i1, i2] = both(() => data(linalg.triangularInverse(l)));
    expect(maxAbsDiff(i1, i2)).toBeLessThan(1e-12);
    const b = t64(random(n, 5, 4), [n, 5]);
    const [x1, x2] = both(() => data(linalg.solveTriangular(l, b, { upper: false, transpose: true })));
    expect(maxAbsDiff(x1, x2)).toBeLessThan(1e-12);
    const [w1, w2] = both(() => data(linalg.eigh(a).values));
    expect(maxAbsDiff(w1, w2)).toBeLessThan(1e-11);
    const r = t64(random(100, 60, 5), [100, 60]);
    const [s1, s2] = both(() => data(linalg.svd(r).S));
    expect(maxAbsDiff(s1, s2)).toBeLessThan(1e-11);
  });
});

describe("linalg: bad input", () => {
  it("names the argument, the shape and the dtype", () => {
    expect(() => linalg.cholesky(Tensor.from(Int32Array.of(1, 0, 0, 1), [2, 2]))).toThrow(DTypeError);
    expect(() => linalg.cholesky(Tensor.from(Int32Array.of(1, 0, 0, 1), [2, 2]))).toThrow(
      /float32 or float64, got int32/,
    );
    expect(() => linalg.cholesky(Tensor.from(new Float32Array(6), [2, 3]), { name: "G" })).toThrow(
      ShapeError,
    );
    expect(() => linalg.cholesky(Tensor.from(new Float32Array(6), [2, 3]), { name: "G" })).toThrow(
      /G must be square, got shape \[2, 3\]/,
    );
    expect(() => linalg.svd(Tensor.from(new Float32Array(8), [2, 2, 2]))).toThrow(/must be a matrix/);
    const a = Tensor.from(Float32Array.of(1, 0, 0, 1), [2, 2]);
    expect(() =>
      linalg.solveTriangular(a, Tensor.from(new Float32Array(3), [3, 1]), { upper: false }),
    ).toThrow(/B needs 2 rows/);
    expect(() => linalg.svd(a, { rank: -1 })).toThrow(/rank must be a non-negative integer/);
  });
});
