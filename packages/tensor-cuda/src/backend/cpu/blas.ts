import type { MatmulSpec } from "../backend.js";
import { openBlas, openBlasCandidates } from "./openblas.js";
import { hostEmpty, hostZeros } from "./pool.js";

/*
 * A system BLAS (OpenBLAS) called through koffi, when the machine has one: on the 2-core
 * reference machine it runs a 2048³ sgemm at ~188 GFLOP/s against MLAS's ~160, and has a lower
 * fixed cost on small products. Without it, onnxruntime's MLAS does the work.
 */
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

type Gemm = (...args: unknown[]) => void;
let gemms: { sgemm: Gemm; dgemm: Gemm | null } | null | undefined;

export function blasLibrary(): string | null {
  return load() ? openBlas()!.name : null;
}

function load(): { sgemm: Gemm; dgemm: Gemm | null } | null {
  if (gemms !== undefined) return gemms;
  gemms = null;
  const blas = openBlas();
  if (blas) {
    try {
      // Plain pointers: koffi hands a typed array's memory straight to the library (an
      // _Out_ pointer would be copied back afterwards: ~60 µs on a 256×256 result).
      const sgemm = blas.lib.func(
        "void cblas_sgemm(int, int, int, int, int, int, float, void *, int, void *, int, float, void *, int)",
      ) as Gemm;
      let dgemm: Gemm | null = null;
      try {
        dgemm = blas.lib.func(
          "void cblas_dgemm(int, int, int, int, int, int, double, void *, int, void *, int, double, void *, int)",
        ) as Gemm;
      } catch {
        // A single-precision-only BLAS: float64 products go through onnxruntime.
      }
      gemms = { sgemm, dgemm };
    } catch {
      // Not a CBLAS library.
    }
  }
  if (!gemms && process.env.SHRINKRAY_GEMM === "blas") {
    throw new Error(
      `SHRINKRAY_GEMM=blas but no BLAS library was found (tried ${openBlasCandidates().join(", ")})`,
    );
  }
  return gemms;
}

/** Runs the float32 product with the system BLAS; returns null when there is none. */
export function blasSgemm(
  a: Float32Array,
  b: Float32Array,
  spec: MatmulSpec,
  bias?: Float32Array | null,
): Float32Array | null {
  const f = load()?.sgemm;
  if (!f) return null;
  const { batch, m, k, n } = spec;
  // Every element is written (beta = 0 overwrites; with a bias, C is filled first), so the
  // output needs no zeroing.
  const out =
    m === 0 || n === 0 || batch === 0 || k === 0
      ? hostZeros("float32", batch * m * n)
      : hostEmpty("float32", batch * m * n);
  return run(f, a, b, out, spec, bias);
}

/** The float64 product with the system BLAS; null when there is none. */
export function blasDgemm(
  a: Float64Array,
  b: Float64Array,
  spec: MatmulSpec,
  bias?: Float64Array | null,
): Float64Array | null {
  const f = load()?.dgemm;
  if (!f) return null;
  return run(f, a, b, hostZeros<Float64Array>("float64", spec.batch * spec.m * spec.n), spec, bias);
}

function run<T extends Float32Array | Float64Array>(
  f: Gemm,
  a: T,
  b: T,
  out: T,
  spec: MatmulSpec,
  bias?: T | null,
): T {
  const { batch, m, k, n, transA, transB } = spec;
  if (m === 0 || n === 0 || batch === 0) return out;
  // The bias rides in C with beta = 1: the GEMM reads C anyway, so the add costs no extra pass.
  if (bias) for (let r = 0; r < batch * m; r++) out.set(bias, r * n);
  const beta = bias ? 1 : 0;
  if (k === 0) return out;
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const ta = transA ? TRANS : NO_TRANS;
  const tb = transB ? TRANS : NO_TRANS;
  if (spec.aBatched && !spec.bBatched && !transA) {
    // A shared B under a batched A is one tall product.
    f(ROW_MAJOR, ta, tb, batch * m, n, k, 1, a, lda, b, ldb, beta, out, n);
    return out;
  }
  for (let p = 0; p < batch; p++) {
    const ap = spec.aBatched ? a.subarray(p * m * k, (p + 1) * m * k) : a;
    const bp = spec.bBatched ? b.subarray(p * k * n, (p + 1) * k * n) : b;
    f(ROW_MAJOR, ta, tb, m, n, k, 1, ap, lda, bp, ldb, beta, out.subarray(p * m * n, (p + 1) * m * n), n);
  }
  return out;
}

/**
 * C [m, n] (row stride ldc) = A [m, k] (row stride lda) · Bᵀ for B [n, k] (row stride ldb), into
 * the caller's C (a column block of a wider matrix, say). False when there is no system BLAS.
 */
export function sgemmInto(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  c: Float32Array,
  ldc: number,
): boolean {
  const f = load()?.sgemm;
  if (!f) return false;
  if (m === 0 || n === 0) return true;
  f(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1, a, lda, b, ldb, 0, c, ldc);
  return true;
}
