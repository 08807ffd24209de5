import type { DType, TypedArray } from "../../../../dtype.js";
import type { GemmApi } from "../../context.js";
import { columnMajorArgs, type RowMajorGemm } from "../../cublas.js";

/*
 * The emulated devices' cuBLAS (test-only): the GEMM definition the matmul launcher and the
 * GPTQ/linalg updates call, on emulated memory.
 */

/** Device memory as the emulated cuBLAS sees it: JS-backed (views) or native (copies written back). */
export interface GemmMemory {
  array(ptr: bigint, dtype: DType, length?: number, what?: string): TypedArray;
  /** Native memory: copies `data` back to `ptr` (views need nothing). */
  write?(ptr: bigint, data: TypedArray): void;
}

/** Elements an lda-strided column-major operand spans: `rows` × `cols` per batch entry. */
function span(rows: number, cols: number, ld: number, stride: number, batch: number): number {
  return (batch - 1) * stride + (cols - 1) * ld + rows;
}

/**
 * cublasGemmStridedBatchedEx's definition (column-major, op(A)·op(B) + beta·C) on emulated
 * memory, fed the same column-major arguments the real binding passes: it checks the row-major
 * mapping end to end. float32/float64 only (the CPU reference has no half-precision matmul).
 */
export class EmulatedBlas implements GemmApi {
  constructor(private readonly memory: GemmMemory) {}

  gemm(g: RowMajorGemm): void {
    if (g.dtype !== "float32" && g.dtype !== "float64") throw new Error(`emulated cuBLAS: no ${g.dtype}`);
    const c = columnMajorArgs(g);
    const aRows = c.transa ? c.k : c.m;
    const bRows = c.transb ? c.n : c.k;
    const A = this.memory.array(
      c.A,
      g.dtype,
      span(aRows, c.transa ? c.m : c.k, c.lda, c.strideA, c.batch),
      "gemm A",
    );
    const B = this.memory.array(
      c.B,
      g.dtype,
      span(bRows, c.transb ? c.k : c.n, c.ldb, c.strideB, c.batch),
      "gemm B",
    );
    const C = this.memory.array(c.C, g.dtype, span(c.m, c.n, c.ldc, c.strideC, c.batch), "gemm C");
    columnMajorGemm(c, A, B, C, g.beta, g.alpha ?? 1);
    this.memory.write?.(c.C, C);
  }
}

/**
 * cublasGemmStridedBatchedEx's definition on plain arrays: column-major, element (i, j) of an
 * ld-strided matrix at i + j·ld, C = op(A)·op(B) + beta·C, and with beta = 0 C is not read (it
 * may hold NaN garbage).
 */
export function columnMajorGemm(
  c: ReturnType<typeof columnMajorArgs>,
  A: ArrayLike<number | bigint>,
  B: ArrayLike<number | bigint>,
  C: { [i: number]: number | bigint },
  beta: number,
  alpha = 1,
): void {
  for (let p = 0; p < c.batch; p++) {
    for (let i = 0; i < c.m; i++) {
      for (let j = 0; j < c.n; j++) {
        let s = 0;
        for (let l = 0; l < c.k; l++) {
          const a = c.transa ? A[p * c.strideA + l + i * c.lda] : A[p * c.strideA + i + l * c.lda];
          const b = c.transb ? B[p * c.strideB + j + l * c.ldb] : B[p * c.strideB + l + j * c.ldb];
          s += (a as number) * (b as number);
        }
        const at = p * c.strideC + i + j * c.ldc;
        // beta = 0 means C is not read at all (cuBLAS's rule): it may hold NaN garbage.
        C[at] = beta === 0 ? alpha * s : alpha * s + (C[at] as number);
      }
    }
  }
}
