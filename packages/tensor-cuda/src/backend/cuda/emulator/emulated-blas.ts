import type { GemmApi } from "../context.js";
import { columnMajorArgs, type RowMajorGemm } from "../cublas.js";
import type { DeviceMemory } from "./device-memory.js";

/**
 * cublasGemmStridedBatchedEx's definition (column-major, op(A)·op(B) + beta·C) on emulated
 * memory, fed the same column-major arguments the real binding passes: it checks the row-major
 * mapping end to end. float32/float64 only (the CPU reference has no half-precision matmul).
 */
export class EmulatedBlas implements GemmApi {
  constructor(private readonly memory: DeviceMemory) {}

  gemm(g: RowMajorGemm): void {
    if (g.dtype !== "float32" && g.dtype !== "float64") throw new Error(`emulated cuBLAS: no ${g.dtype}`);
    const c = columnMajorArgs(g);
    const A = this.memory.array(c.A, g.dtype, undefined, "gemm A");
    const B = this.memory.array(c.B, g.dtype, undefined, "gemm B");
    const C = this.memory.array(c.C, g.dtype, c.batch * c.strideC, "gemm C");
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
          C[at] = s + g.beta * (C[at] as number);
        }
      }
    }
  }
}
