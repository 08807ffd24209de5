import { createRequire } from "node:module";
import type { MatmulSpec } from "../backend.js";
import { cpuThreads } from "./ort-session.js";
import { hostEmpty, hostZeros } from "./pool.js";

/*
 * A system BLAS (OpenBLAS) called through koffi, when the machine has one: on the 2-core
 * reference machine it runs a 2048³ sgemm at ~188 GFLOP/s against MLAS's ~160, and has a lower
 * fixed cost on small products. Nothing is compiled: the library is found at run time, the way
 * CuPy and tinygrad find theirs. Without it, onnxruntime's MLAS does the work.
 */
const require = createRequire(import.meta.url);
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;
const CANDIDATES = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.0.dylib"];

type Sgemm = (...args: unknown[]) => void;
let sgemm: Sgemm | null | undefined;

export function blasLibrary(): string | null {
  load();
  return loadedName;
}

let loadedName: string | null = null;

function load(): Sgemm | null {
  if (sgemm !== undefined) return sgemm;
  sgemm = null;
  const choice = process.env.SHRINKRAY_GEMM;
  if (choice === "ort") return null;
  let koffi: any;
  try {
    koffi = require("koffi");
  } catch {
    return null;
  }
  const names = process.env.SHRINKRAY_BLAS ? [process.env.SHRINKRAY_BLAS] : CANDIDATES;
  for (const name of names) {
    try {
      const lib = koffi.load(name);
      const f = lib.func(
        // Plain pointers: koffi hands a typed array's memory straight to the library (an
        // _Out_ pointer would be copied back afterwards: ~60 µs on a 256×256 result).
        "void cblas_sgemm(int, int, int, int, int, int, float, void *, int, void *, int, float, void *, int)",
      );
      try {
        lib.func("void openblas_set_num_threads(int)")(cpuThreads());
      } catch {
        // Not OpenBLAS proper: it keeps its own threading.
      }
      sgemm = f;
      loadedName = name;
      return f;
    } catch {
      // Try the next name.
    }
  }
  if (choice === "blas")
    throw new Error(`SHRINKRAY_GEMM=blas but no BLAS library was found (tried ${names.join(", ")})`);
  return null;
}

/** Runs the product with the system BLAS; returns null when there is none. */
export function blasSgemm(
  a: Float32Array,
  b: Float32Array,
  spec: MatmulSpec,
  bias?: Float32Array | null,
): Float32Array | null {
  const f = load();
  if (!f) return null;
  const { batch, m, k, n, transA, transB } = spec;
  // Every element is written (beta = 0 overwrites; with a bias, C is filled first), so the
  // output needs no zeroing.
  const out =
    m === 0 || n === 0 || batch === 0 || k === 0
      ? hostZeros("float32", batch * m * n)
      : hostEmpty("float32", batch * m * n);
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
  const f = load();
  if (!f) return false;
  if (m === 0 || n === 0) return true;
  f(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1, a, lda, b, ldb, 0, c, ldc);
  return true;
}
