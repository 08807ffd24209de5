import type { KernelFamily } from "../../kernel-abi.js";
import { FLOAT_SUFFIXES } from "../../suffixes.js";

/* rope.cu: rotate-half rotary embedding, element-wise (grid-stride over rows·D). */
export const ropeAbi: KernelFamily = {
  file: "rope.cu",
  kernels(add) {
    const n = "i64" as const;
    for (const t of FLOAT_SUFFIXES) {
      // (x [rows, D], cos [T, D], sin [T, D], y, rows, T, D, sinSign): row r is at position r % T;
      // y = x·cos + rotate_half(x)·sin·sinSign (sinSign −1 gives the backward).
      add(`rope_${t}`, ["ptr", "ptr", "ptr", "ptr", n, n, n, "f64"]);
    }
  },
};
