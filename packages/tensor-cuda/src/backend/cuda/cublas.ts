import type { DType } from "../../dtype.js";
import { functionName } from "./driver.js";
import { CudaError } from "./errors.js";
import { loadKoffi } from "./koffi.js";

/*
 * cuBLAS through koffi: one call, cublasGemmStridedBatchedEx, covers every matmul the backend
 * does (batched or not, either operand shared across the batch with stride 0, fp32/tf32, fp64,
 * fp16 and bf16 with fp32 accumulation).
 */

type Fn = (...args: any[]) => any;

// cublasOperation_t, cudaDataType_t, cublasComputeType_t, cublasGemmAlgo_t (cublas_api.h, library_types.h)
const OP_N = 0;
const OP_T = 1;
const DATA_TYPE: Partial<Record<DType, number>> = { float32: 0, float64: 1, float16: 2, bfloat16: 14 };
const COMPUTE_32F = 68;
const COMPUTE_32F_FAST_TF32 = 77;
const COMPUTE_64F = 70;
const GEMM_DEFAULT = -1;

const STATUS: Record<number, string> = {
  1: "CUBLAS_STATUS_NOT_INITIALIZED",
  3: "CUBLAS_STATUS_ALLOC_FAILED",
  7: "CUBLAS_STATUS_INVALID_VALUE",
  8: "CUBLAS_STATUS_ARCH_MISMATCH",
  11: "CUBLAS_STATUS_MAPPING_ERROR",
  13: "CUBLAS_STATUS_EXECUTION_FAILED",
  14: "CUBLAS_STATUS_INTERNAL_ERROR",
  15: "CUBLAS_STATUS_NOT_SUPPORTED",
};

/** A row-major batched product C[b] = A[b]·B[b] (+ C[b] when beta is 1), as the Backend asks. */
export interface RowMajorGemm {
  dtype: DType;
  batch: number;
  m: number;
  k: number;
  n: number;
  /** A stored [k, m] instead of [m, k]. */
  transA: boolean;
  /** B stored [n, k] instead of [k, n]. */
  transB: boolean;
  aBatched: boolean;
  bBatched: boolean;
  a: bigint;
  b: bigint;
  c: bigint;
  beta: 0 | 1;
  /** fp32 inputs through TF32 tensor cores (PyTorch's allow_tf32). */
  tf32: boolean;
  /** Scale of the product (default 1): −1 with beta 1 subtracts it from C. */
  alpha?: number;
  /**
   * Row strides (elements) of A, B and C as stored, for operands that are blocks of a larger
   * row-major matrix; each defaults to the stored row length (a contiguous matrix).
   */
  lda?: number;
  ldb?: number;
  ldc?: number;
}

/** The column-major cuBLAS arguments for a row-major product (pure; tested without a GPU). */
export function columnMajorArgs(g: RowMajorGemm) {
  // Row-major C[m,n] is column-major Cᵀ[n,m] = Bᵀ·Aᵀ, and a row-major X is column-major Xᵀ with
  // the same leading dimension, so cuBLAS gets B first and A second, with no data moved.
  return {
    transa: g.transB ? OP_T : OP_N,
    transb: g.transA ? OP_T : OP_N,
    m: g.n,
    n: g.m,
    k: g.k,
    A: g.b,
    lda: g.ldb ?? (g.transB ? g.k : g.n),
    strideA: g.bBatched ? g.k * g.n : 0,
    B: g.a,
    ldb: g.lda ?? (g.transA ? g.m : g.k),
    strideB: g.aBatched ? g.m * g.k : 0,
    C: g.c,
    ldc: g.ldc ?? g.n,
    strideC: g.m * g.n,
    batch: g.batch,
  };
}

export function computeType(dtype: DType, tf32: boolean): number {
  if (dtype === "float64") return COMPUTE_64F;
  if (dtype === "float32" && tf32) return COMPUTE_32F_FAST_TF32;
  return COMPUTE_32F;
}

export class Cublas {
  private readonly f: Record<string, Fn> = {};
  private readonly handle: unknown;

  constructor(readonly path: string) {
    const k = loadKoffi();
    const lib = k.load(path);
    const decl = (sig: string) => {
      this.f[functionName(sig)] = lib.func(sig);
    };
    decl("int cublasCreate_v2(_Out_ void **handle)");
    decl(
      "int cublasGemmStridedBatchedEx(void *handle, int transa, int transb, int m, int n, int k, void *alpha, uint64_t A, int Atype, int lda, int64_t strideA, uint64_t B, int Btype, int ldb, int64_t strideB, void *beta, uint64_t C, int Ctype, int ldc, int64_t strideC, int batchCount, int computeType, int algo)",
    );
    const h = [null];
    this.check(this.f.cublasCreate_v2(h), "cublasCreate");
    this.handle = h[0];
  }

  private check(code: number, call: string): void {
    if (code !== 0) throw new CudaError(call, code, STATUS[code] ?? `cuBLAS status ${code}`);
  }

  gemm(g: RowMajorGemm): void {
    const type = DATA_TYPE[g.dtype];
    if (type === undefined) throw new TypeError(`matmul: dtype ${g.dtype} is not supported on cuda`);
    const c = columnMajorArgs(g);
    const compute = computeType(g.dtype, g.tf32);
    // alpha and beta are host scalars of the compute type.
    const Scalar = compute === COMPUTE_64F ? Float64Array : Float32Array;
    const alpha = Scalar.of(g.alpha ?? 1);
    const beta = Scalar.of(g.beta);
    this.check(
      this.f.cublasGemmStridedBatchedEx(
        this.handle,
        c.transa,
        c.transb,
        c.m,
        c.n,
        c.k,
        alpha,
        c.A,
        type,
        c.lda,
        c.strideA,
        c.B,
        type,
        c.ldb,
        c.strideB,
        beta,
        c.C,
        type,
        c.ldc,
        c.strideC,
        c.batch,
        compute,
        GEMM_DEFAULT,
      ),
      `cublasGemmStridedBatchedEx(${g.dtype}, batch ${g.batch}, m ${g.m}, k ${g.k}, n ${g.n})`,
    );
  }
}
