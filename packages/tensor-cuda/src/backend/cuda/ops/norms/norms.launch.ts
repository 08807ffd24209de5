import type { Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";
import { floatSuffix } from "../../suffixes.js";

/*
 * Layer norm and RMS norm: one block per row. The weight and bias
 * gradients are column sums over all rows; they are computed as partial sums over chunks of rows
 * (float64, deterministic, no atomics), then summed over the chunks.
 */

/** Rows per chunk of the parameter-gradient partial sums: enough chunks to fill the device. */
export function rowChunks(rows: number): { chunks: number; rowsPerChunk: number } {
  const chunks = Math.max(1, Math.min(Math.ceil(rows / 32), 1024));
  return { chunks, rowsPerChunk: Math.ceil(rows / chunks) };
}

export class NormOps {
  constructor(
    private readonly c: CudaContext,
    private readonly ew: { cast(s: Storage, to: Storage["dtype"]): CudaStorage },
  ) {}

  private optional(s: Storage | null): bigint {
    return s ? this.c.ptr(s) : 0n;
  }

  layerNorm(x: Storage, w: Storage | null, b: Storage | null, rows: number, cols: number, eps: number) {
    const t = floatSuffix("layer_norm", x);
    const y = this.c.alloc(x.dtype, rows * cols);
    const mean = this.c.alloc(x.dtype, rows);
    const rstd = this.c.alloc(x.dtype, rows);
    this.c.launchRows(`layer_norm_fwd_${t}`, rows, cols, [
      this.c.ptr(x),
      this.optional(w),
      this.optional(b),
      y.address(),
      mean.address(),
      rstd.address(),
      rows,
      cols,
      eps,
    ]);
    return { y, mean, rstd };
  }

  layerNormBackward(
    x: Storage,
    w: Storage | null,
    mean: Storage,
    rstd: Storage,
    g: Storage,
    rows: number,
    cols: number,
  ) {
    const t = floatSuffix("layer_norm backward", x);
    const dx = this.c.alloc(x.dtype, rows * cols);
    this.c.launchRows(`layer_norm_bwd_dx_${t}`, rows, cols, [
      this.c.ptr(x),
      this.optional(w),
      this.c.ptr(mean),
      this.c.ptr(rstd),
      this.c.ptr(g),
      dx.address(),
      rows,
      cols,
    ]);
    const { dw, db } = this.paramGrads(t, x, mean, rstd, g, rows, cols, true);
    let dweight: CudaStorage | null = null;
    if (w) dweight = this.finish(dw, w.dtype);
    else dw.dispose();
    const dbias = this.finish(db as CudaStorage, x.dtype);
    return { dx, dweight, dbias };
  }

  rmsNorm(x: Storage, w: Storage | null, rows: number, cols: number, eps: number) {
    const t = floatSuffix("rms_norm", x);
    const y = this.c.alloc(x.dtype, rows * cols);
    const rstd = this.c.alloc(x.dtype, rows);
    this.c.launchRows(`rms_norm_fwd_${t}`, rows, cols, [
      this.c.ptr(x),
      this.optional(w),
      y.address(),
      rstd.address(),
      rows,
      cols,
      eps,
    ]);
    return { y, rstd };
  }

  rmsNormBackward(x: Storage, w: Storage | null, rstd: Storage, g: Storage, rows: number, cols: number) {
    const t = floatSuffix("rms_norm backward", x);
    const dx = this.c.alloc(x.dtype, rows * cols);
    this.c.launchRows(`rms_norm_bwd_dx_${t}`, rows, cols, [
      this.c.ptr(x),
      this.optional(w),
      this.c.ptr(rstd),
      this.c.ptr(g),
      dx.address(),
      rows,
      cols,
    ]);
    if (!w) return { dx, dweight: null };
    const { dw } = this.paramGrads(t, x, null, rstd, g, rows, cols, false);
    return { dx, dweight: this.finish(dw, w.dtype) };
  }

  /** Σ_rows g·x̂ (and Σ_rows g) per column, in float64. */
  private paramGrads(
    t: "f32" | "f64",
    x: Storage,
    mean: Storage | null,
    rstd: Storage,
    g: Storage,
    rows: number,
    cols: number,
    withBias: boolean,
  ): { dw: CudaStorage; db: CudaStorage | null } {
    const { chunks, rowsPerChunk } = rowChunks(rows);
    const dwPartial = this.c.alloc("float64", chunks * cols);
    const dbPartial = withBias ? this.c.alloc("float64", chunks * cols) : null;
    if (rows > 0 && cols > 0) {
      this.c.launch(
        `norm_bwd_params_${t}`,
        [
          this.c.ptr(x),
          this.optional(mean),
          this.c.ptr(rstd),
          this.c.ptr(g),
          dwPartial.address(),
          dbPartial ? dbPartial.address() : 0n,
          rows,
          cols,
          rowsPerChunk,
        ],
        [Math.ceil(cols / 256), chunks, 1],
      );
    }
    const sum = (partial: CudaStorage) => {
      const out = this.c.alloc("float64", cols);
      if (rows === 0) this.c.driver.memset(out.address(), 0, cols * 8);
      else this.c.launch1d("reduce_sum_cols_f64", cols, [partial.address(), out.address(), 1, chunks, cols]);
      partial.dispose();
      return out;
    };
    return { dw: sum(dwPartial), db: dbPartial ? sum(dbPartial) : null };
  }

  private finish(s: CudaStorage, dtype: Storage["dtype"]): CudaStorage {
    if (s.dtype === dtype) return s;
    const out = this.ew.cast(s, dtype);
    s.dispose();
    return out;
  }
}
