import type { KernelFamily } from "../../kernel-abi.js";
import { ATOMIC_SUFFIXES, BYTE_SUFFIXES, INDEX_SUFFIXES } from "../../suffixes.js";

/*
 * layout.cu: strided copies (materialising views, writing into them) and the index kernels,
 * which report an out-of-range index through the device error word (ERROR_OPS).
 */
export const layoutAbi: KernelFamily = {
  file: "layout.cu",
  kernels(add) {
    const n = "i64" as const;
    for (const b of BYTE_SUFFIXES) {
      // (x, y, view): y (contiguous, view.n elements) = x read through s0/off0
      add(`copy_strided_${b}`, ["ptr", "ptr", "index3"]);
      // (dst, src, view): dst written through s0/off0 = src (contiguous)
      add(`copy_into_${b}`, ["ptr", "ptr", "index3"]);
      for (const i of INDEX_SUFFIXES) {
        // (x, index, y, outer, dimX, dimIdx, inner, err)
        add(`gather_${b}_${i}`, ["ptr", "ptr", "ptr", n, n, n, n, "ptr"]);
        // (x, index, y, outer, dim, count, inner, err)
        add(`index_select_${b}_${i}`, ["ptr", "ptr", "ptr", n, n, n, n, "ptr"]);
      }
    }
    for (const t of ATOMIC_SUFFIXES) {
      for (const i of INDEX_SUFFIXES) {
        // (out pre-filled with base, index, src, outer, dimX, dimIdx, inner, err)
        add(`scatter_add_${t}_${i}`, ["ptr", "ptr", "ptr", n, n, n, n, "ptr"]);
        // (out zeroed [outer, dim, inner], index [count], src [outer, count, inner], outer, dim, count, inner, err)
        add(`index_add_${t}_${i}`, ["ptr", "ptr", "ptr", n, n, n, n, "ptr"]);
      }
    }
  },
};
