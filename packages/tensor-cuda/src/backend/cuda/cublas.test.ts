import { describe, expect, it } from "vitest";
import { columnMajorArgs, computeType, type RowMajorGemm } from "./cublas.js";
import { columnMajorGemm } from "./ops/matmul/matmul.emulation.js";

/** cuBLAS's definition (the emulator's columnMajorGemm) on named host arrays. */
function cublasReference(
  args: ReturnType<typeof columnMajorArgs>,
  mem: Record<string, Float64Array>,
  names: { A: string; B: string; C: string },
  beta: number,
): void {
  columnMajorGemm(args, mem[names.A], mem[names.B], mem[names.C], beta);
}

/** Row-major product as the Backend defines it. */
function rowMajor(g: RowMajorGemm, a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(g.batch * g.m * g.n);
  for (let p = 0; p < g.batch; p++) {
    const ab = g.aBatched ? p * g.m * g.k : 0;
    const bb = g.bBatched ? p * g.k * g.n : 0;
    for (let i = 0; i < g.m; i++) {
      for (let j = 0; j < g.n; j++) {
        let s = 0;
        for (let l = 0; l < g.k; l++) {
          const x = g.transA ? a[ab + l * g.m + i] : a[ab + i * g.k + l];
          const y = g.transB ? b[bb + j * g.k + l] : b[bb + l * g.n + j];
          s += x * y;
        }
        out[p * g.m * g.n + i * g.n + j] = s;
      }
    }
  }
  return out;
}

describe("row-major matmul on column-major cuBLAS", () => {
  it("computes the Backend's product for every transpose and batching combination", () => {
    let seed = 3;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    };
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const [aBatched, bBatched] of [
          [true, true],
          [true, false],
          [false, true],
        ]) {
          const g: RowMajorGemm = {
            dtype: "float32",
            batch: 3,
            m: 4,
            k: 5,
            n: 6,
            transA,
            transB,
            aBatched,
            bBatched,
            a: 1n,
            b: 2n,
            c: 3n,
            beta: 0,
            tf32: false,
          };
          const a = Float64Array.from({ length: (aBatched ? 3 : 1) * 4 * 5 }, rnd);
          const b = Float64Array.from({ length: (bBatched ? 3 : 1) * 5 * 6 }, rnd);
          const c = new Float64Array(3 * 4 * 6);
          const args = columnMajorArgs(g);
          expect(args.A).toBe(2n); // B goes first
          expect(args.B).toBe(1n);
          cublasReference(args, { a, b, c }, { A: "b", B: "a", C: "c" }, 0);
          const want = rowMajor(g, a, b);
          for (let i = 0; i < want.length; i++) expect(c[i]).toBeCloseTo(want[i], 12);
        }
      }
    }
  });

  it("beta = 1 adds onto C (the bias pre-filled in every row)", () => {
    const g: RowMajorGemm = {
      dtype: "float32",
      batch: 1,
      m: 2,
      k: 1,
      n: 3,
      transA: false,
      transB: false,
      aBatched: true,
      bBatched: true,
      a: 1n,
      b: 2n,
      c: 3n,
      beta: 1,
      tf32: false,
    };
    const c = Float64Array.of(10, 20, 30, 10, 20, 30);
    cublasReference(
      columnMajorArgs(g),
      { a: Float64Array.of(1, 2), b: Float64Array.of(1, 2, 3), c },
      { A: "b", B: "a", C: "c" },
      1,
    );
    expect([...c]).toEqual([11, 22, 33, 12, 24, 36]);
  });

  it("multiplies blocks of larger row-major matrices (lda/ldb/ldc) and subtracts with alpha = −1", () => {
    // Inside one 7×7 matrix M: C = M[4:7, 4:7] −= M[4:7, 0:2] · M[4:7, 0:2]ᵀ, the trailing update
    // of a blocked Cholesky step.
    const N = 7;
    const m0 = Float64Array.from({ length: N * N }, (_, i) => ((i * 37) % 11) - 5);
    const mem = m0.slice();
    const at = (r: number, c: number) => r * N + c;
    const g: RowMajorGemm = {
      dtype: "float64",
      batch: 1,
      m: 3,
      k: 2,
      n: 3,
      transA: false,
      transB: true,
      aBatched: true,
      bBatched: true,
      a: BigInt(at(4, 0)),
      b: BigInt(at(4, 0)),
      c: BigInt(at(4, 4)),
      beta: 1,
      tf32: false,
      alpha: -1,
      lda: N,
      ldb: N,
      ldc: N,
    };
    const args = columnMajorArgs(g);
    expect([args.lda, args.ldb, args.ldc]).toEqual([N, N, N]);
    columnMajorGemm(
      args,
      mem.subarray(Number(args.A)),
      mem.subarray(Number(args.B)),
      mem.subarray(Number(args.C)),
      1,
      -1,
    );
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        let want = m0[at(r, c)];
        if (r >= 4 && c >= 4) want -= m0[at(r, 0)] * m0[at(c, 0)] + m0[at(r, 1)] * m0[at(c, 1)];
        expect(mem[at(r, c)]).toBe(want);
      }
    }
  });

  it("picks the compute type: fp64 for float64, TF32 only when allowed", () => {
    expect(computeType("float64", true)).toBe(70);
    expect(computeType("float32", false)).toBe(68);
    expect(computeType("float32", true)).toBe(77);
    expect(computeType("bfloat16", true)).toBe(68);
  });
});
