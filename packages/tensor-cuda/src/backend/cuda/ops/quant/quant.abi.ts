import type { KernelFamily } from "../../kernel-abi.js";

/*
 * quant.cu: GPTQ dequantization and the packed decoding GEMV, the min-max quantization grid, and
 * fake quantization with its STE mask and LSQ step gradient (quant_grid.cuh holds the grid math
 * gptq.cu shares).
 */
export const quantAbi: KernelFamily = {
  file: "quant.cu",
  kernels(add) {
    const n = "i64" as const;
    // (qweight int32 [in·bits/32, out], qzeros int32 [groups, out·bits/32], scales f32
    // [groups, out], gIdx int32 [in], wt f32 [in, out], inF, outF, groups, bits, err)
    add("dequant_gptq_f32", ["ptr", "ptr", "ptr", "ptr", "ptr", n, n, n, "i32", "ptr"]);
    // (x f32 [M ≤ 8, in], qweight, qzeros, scales, gIdx, partial f32 [ceil(in/256), M, out], M,
    // inF, outF, groups, bits, err); grid [ceil(out/128), ceil(in/256)], 128 threads
    add("gptq_gemv_f32", ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n, n, n, "i32", "ptr"]);
    // (w [out, in], scale, zero [groups, out], out, inF, groupLen, groups, maxq, sym)
    add("quant_grid_f32", ["ptr", "ptr", "ptr", n, n, n, n, "i32", "i32"]);
    // (w, scale, zero, y, mask u8, ds|0, out, inF, groupLen, maxq)
    add("fake_quant_f32", ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n, n, "i32"]);
    // (g, ds, gs [groups, out], out, inF, groupLen, groups, gradScale)
    add("fake_quant_scale_grad_f32", ["ptr", "ptr", "ptr", n, n, n, n, "f64"]);
  },
};
