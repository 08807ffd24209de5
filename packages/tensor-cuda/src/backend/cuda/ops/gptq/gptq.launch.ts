import type { GptqSpec, GptqStorages, Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import { LinalgOps, type Zeros } from "../linalg/linalg.launch.js";

/*
 * GPTQ on the device, step for step as gptq/src/gptq.ts does it on the host, so nothing of the
 * [cols, cols] Hessian or the weight comes back to the host:
 *   1. grids that come from the weight before any update (per-row, or static groups);
 *   2. the weight transposed into quantization order, dead columns zeroed;
 *   3. the damped, reversed Hessian in float64 → blocked Cholesky → blocked triangular inverse →
 *      U, the upper factor of H⁻¹ (linalg.cu; cuBLAS DGEMM for the trailing updates);
 *   4. per block of columns, one kernel quantizes the block (a thread per row) and one SGEMM
 *      applies the block's deferred error to the columns after it;
 *   5. codes and values back to [rows, cols] in the original column order.
 * The host only orders launches: the whole thing is asynchronous until the caller reads.
 */

/** gptq.cu's GPTQ_TILE_COLS and GPTQ_TILE_WARPS. */
const GPTQ_TILE_COLS = 256;
const GPTQ_TILE_WARPS = 8;

export class GptqOps {
  private readonly linalg: LinalgOps;

  constructor(
    private readonly c: CudaContext,
    private readonly ew: Zeros,
  ) {
    this.linalg = new LinalgOps(c, ew);
  }

  gptq(weight: Storage, hessian: Storage, spec: GptqSpec): GptqStorages {
    for (const [what, s] of [
      ["the weight", weight],
      ["the Hessian", hessian],
    ] as const) {
      if (s.dtype !== "float32") throw new TypeError(`gptq: ${what} must be float32 on cuda, got ${s.dtype}`);
    }
    const { rows, cols, maxq, groupSize: gs, staticGroups, blockSize } = spec;
    const sym = spec.sym ? 1 : 0;
    const c = this.c;
    const w = c.ptr(weight);
    const h = c.ptr(hessian);
    const groups = gs === -1 ? 1 : Math.ceil(cols / gs);
    const scale = c.alloc("float32", groups * rows);
    const zero = c.alloc("float32", groups * rows);
    const perm = spec.perm ? c.upload(spec.perm, "int32") : null;
    const permPtr = perm ? perm.address() : 0n;
    const wt = c.alloc("float32", rows * cols);

    // 1–2. Per-row grids see the weight before dead columns are zeroed; static groups after.
    if (gs === -1)
      c.launch1d("quant_grid_f32", rows, [
        w,
        scale.address(),
        zero.address(),
        rows,
        cols,
        cols,
        1,
        maxq,
        sym,
      ]);
    if (staticGroups) {
      c.launch1d("gptq_columns_f32", rows * cols, [w, h, 0n, wt.address(), rows, cols]);
      c.launch1d("gptq_grid_f32", groups * rows, [
        wt.address(),
        scale.address(),
        zero.address(),
        rows,
        cols,
        gs,
        groups,
        maxq,
        sym,
      ]);
    }
    if (!staticGroups || perm)
      c.launch1d("gptq_columns_f32", rows * cols, [w, h, permPtr, wt.address(), rows, cols]);

    // 3. U, the upper Cholesky factor of the damped H⁻¹, via float64.
    const damp = c.alloc("float32", 1);
    c.launch("gptq_damp_f32", [h, cols, spec.percDamp, damp.address()], [1, 1, 1], [256, 1, 1]);
    const a = c.alloc("float64", cols * cols);
    c.launch1d("gptq_hessian_f64", cols * cols, [h, permPtr, damp.address(), a.address(), cols]);
    const info = this.ew.zeros("int32", 1);
    this.linalg.choleskyLower(a, cols, info);
    const x = this.linalg.invertLower(a, cols);
    a.dispose();
    const u = c.alloc("float32", cols * cols);
    c.launch1d("gptq_factor_f32", cols * cols, [x.address(), u.address(), cols]);
    x.dispose();
    damp.dispose();

    // 4. The column loop, a block at a time.
    const codesT = c.alloc("int32", rows * cols);
    const deqT = c.alloc("float32", rows * cols);
    const err = c.alloc("float32", Math.min(blockSize, cols) * rows);
    const loss = this.ew.zeros("float64", rows);
    // Blocks that fit the shared-memory tile: 8 warps per 32 rows. Wider ones: a thread per row,
    // in 32-thread blocks, since a row's work is long and serial and every SM should get some.
    const tiled = Math.min(blockSize, cols) <= GPTQ_TILE_COLS;
    const grid: [number, number, number] = tiled ? [Math.ceil(rows / 32), 1, 1] : c.rowsGrid(rows, 32);
    const threads: [number, number, number] = tiled ? [32 * GPTQ_TILE_WARPS, 1, 1] : [32, 1, 1];
    for (let a0 = 0; a0 < cols; a0 += blockSize) {
      const b0 = Math.min(a0 + blockSize, cols);
      c.launch(
        tiled ? "gptq_block_tiled_f32" : "gptq_block_f32",
        [
          wt.address(),
          u.address(),
          scale.address(),
          zero.address(),
          codesT.address(),
          deqT.address(),
          err.address(),
          loss.address(),
          permPtr,
          rows,
          cols,
          a0,
          b0,
          gs === -1 ? 0 : gs,
          staticGroups ? 1 : 0,
          maxq,
          sym,
        ],
        grid,
        threads,
      );
      if (b0 === cols || rows === 0) break;
      // wt[b0:] −= U[a0:b0, b0:]ᵀ · err: the block's error reaching every later column.
      c.blas.gemm({
        dtype: "float32",
        batch: 1,
        m: cols - b0,
        k: b0 - a0,
        n: rows,
        transA: true,
        transB: false,
        aBatched: true,
        bBatched: true,
        a: c.ptr(u, a0 * cols + b0),
        b: err.address(),
        c: c.ptr(wt, b0 * rows),
        beta: 1,
        alpha: -1,
        // Plain fp32: GPTQ's error feedback is what TF32 rounding would disturb.
        tf32: false,
        lda: cols,
        ldb: rows,
        ldc: rows,
      });
    }

    // 5. Original layout and column order.
    const codes = c.alloc("int32", rows * cols);
    const dequantized = c.alloc("float32", rows * cols);
    c.launch1d("gptq_finish_f32", rows * cols, [
      codesT.address(),
      deqT.address(),
      permPtr,
      codes.address(),
      dequantized.address(),
      rows,
      cols,
    ]);
    for (const s of [wt, u, codesT, deqT, err]) s.dispose();
    perm?.dispose();
    return { codes, dequantized, scale, zero, loss, info };
  }
}
