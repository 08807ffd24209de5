import type { KernelFamily } from "../../kernel-abi.js";
import { FLOAT_SUFFIXES } from "../../suffixes.js";

/* norms.cu: layer norm and RMS norm, one block per row, and their parameter gradients. */
export const normsAbi: KernelFamily = {
  file: "norms.cu",
  kernels(add) {
    const n = "i64" as const;
    for (const t of FLOAT_SUFFIXES) {
      // (x, w|0, b|0, y, mean, rstd, rows, cols, eps)
      add(`layer_norm_fwd_${t}`, ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n, "f64"]);
      // (x, w|0, mean, rstd, g, dx, rows, cols)
      add(`layer_norm_bwd_dx_${t}`, ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n]);
      // (x, w|0, y, rstd, rows, cols, eps)
      add(`rms_norm_fwd_${t}`, ["ptr", "ptr", "ptr", "ptr", n, n, "f64"]);
      // (x, w|0, rstd, g, dx, rows, cols)
      add(`rms_norm_bwd_dx_${t}`, ["ptr", "ptr", "ptr", "ptr", "ptr", n, n]);
      // (x, mean|0 (0: RMS norm), rstd, g, dwPartial f64 [chunks, cols], dbPartial f64|0, rows, cols, rowsPerChunk)
      add(`norm_bwd_params_${t}`, ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n, n]);
    }
  },
};
