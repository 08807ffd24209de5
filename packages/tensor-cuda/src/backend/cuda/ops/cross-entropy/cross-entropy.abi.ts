import type { KernelFamily } from "../../kernel-abi.js";
import { FLOAT_SUFFIXES } from "../../suffixes.js";

/* cross_entropy.cu: one block per row of logits [rows, V]; targets int32 [rows]. */
export const crossEntropyAbi: KernelFamily = {
  file: "cross_entropy.cu",
  kernels(add) {
    const n = "i64" as const;
    for (const t of FLOAT_SUFFIXES) {
      // (logits, targets, loss [rows], lse [rows], rows, V, ignoreIndex, labelSmoothing, err)
      add(`cross_entropy_fwd_${t}`, ["ptr", "ptr", "ptr", "ptr", n, n, n, "f64", "ptr"]);
      // (logits, targets, lse, gloss [rows], dlogits, rows, V, ignoreIndex, labelSmoothing)
      add(`cross_entropy_bwd_${t}`, ["ptr", "ptr", "ptr", "ptr", "ptr", n, n, n, "f64"]);
    }
  },
};
