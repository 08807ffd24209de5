import type { KernelFamily } from "../../kernel-abi.js";
import { NUMERIC_SUFFIXES } from "../../suffixes.js";

/*
 * reduce.cu: [outer, size, inner] → [outer, inner]. `_rows` kernels run one block per output
 * (inner == 1); `_cols` kernels one thread per output.
 */
export const reduceAbi: KernelFamily = {
  file: "reduce.cu",
  kernels(add) {
    const n = "i64" as const;
    for (const t of NUMERIC_SUFFIXES) {
      for (const layout of ["rows", "cols"]) {
        // (x, y, outer, size, inner); sums write f32/f64/i32/i32 for f32/f64/i32/u8
        add(`reduce_sum_${layout}_${t}`, ["ptr", "ptr", n, n, n]);
        // (wantMax, x, y, outer, size, inner); y has x's type
        add(`reduce_minmax_${layout}_${t}`, ["i32", "ptr", "ptr", n, n, n]);
        // (wantMax, x, y int32, outer, size, inner)
        add(`reduce_arg_${layout}_${t}`, ["i32", "ptr", "ptr", n, n, n]);
      }
    }
  },
};
