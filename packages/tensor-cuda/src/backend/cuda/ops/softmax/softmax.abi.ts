import type { KernelFamily } from "../../kernel-abi.js";
import { FLOAT_SUFFIXES } from "../../suffixes.js";

/* softmax.cu: softmax and log-softmax over rows, optionally causal; one block per row. */
export const softmaxAbi: KernelFamily = {
  file: "softmax.cu",
  kernels(add) {
    const n = "i64" as const;
    for (const t of FLOAT_SUFFIXES) {
      // (x, y, rows, cols, log, causalQueries (0: none), causalOffset)
      add(`softmax_fwd_${t}`, ["ptr", "ptr", n, n, "i32", n, n]);
      // (y, g, dx, rows, cols, log, causalQueries, causalOffset)
      add(`softmax_bwd_${t}`, ["ptr", "ptr", "ptr", n, n, "i32", n, n]);
    }
  },
};
