import type { KernelFamily, ParamKind } from "../../kernel-abi.js";

/** Parameters of gptq.cu's two block kernels. */
const GPTQ_BLOCK: ParamKind[] = [
  ...(Array(9).fill("ptr") as ParamKind[]),
  ...(Array(5).fill("i64") as ParamKind[]),
  "i32",
  "i32",
  "i32",
];

/*
 * gptq.cu: weight w [rows, cols], Hessian h [cols, cols], both float32; perm int32 [cols] or 0.
 */
export const gptqAbi: KernelFamily = {
  file: "gptq.cu",
  kernels(add) {
    const n = "i64" as const;
    // (h, n, percDamp, damp f32 [1]); one block of 256 threads
    add("gptq_damp_f32", ["ptr", n, "f32", "ptr"]);
    // (h, perm, damp, a f64 [n, n] reversed, n)
    add("gptq_hessian_f64", ["ptr", "ptr", "ptr", "ptr", n]);
    // (x f64 [n, n] lower, u f32 [n, n] upper, n)
    add("gptq_factor_f32", ["ptr", "ptr", n]);
    // (w, h, perm, wt [cols, rows], rows, cols)
    add("gptq_columns_f32", ["ptr", "ptr", "ptr", "ptr", n, n]);
    // (wt, scale, zero [groups, rows], rows, cols, groupLen, groups, maxq, sym)
    add("gptq_grid_f32", ["ptr", "ptr", "ptr", n, n, n, n, "i32", "i32"]);
    // (wt, u, scale, zero, codesT i32 [cols, rows], deqT [cols, rows], err [b-a, rows], loss f64
    // [rows], perm, rows, cols, a, b, groupLen (0: per row), staticGroups, maxq, sym)
    add("gptq_block_f32", GPTQ_BLOCK);
    // The same parameters; blocks of ≤ 256 columns, grid ceil(rows/32) × 256 threads.
    add("gptq_block_tiled_f32", GPTQ_BLOCK);
    // (codesT, deqT, perm, codes i32 [rows, cols], deq [rows, cols], rows, cols)
    add("gptq_finish_f32", ["ptr", "ptr", "ptr", "ptr", "ptr", n, n]);
  },
};
