import type { KernelFamily } from "../../kernel-abi.js";
import { FLOAT_SUFFIXES } from "../../suffixes.js";

/*
 * attention.cu: fused scaled-dot-product attention that never materialises the [T, S] scores
 * (online softmax). q [B, H, T, D], k and v [B, Hkv, S, D], all contiguous, H a multiple of Hkv
 * (query head h reads kv head h / (H / Hkv)); with causal, query i sees keys j <= i + causalOffset.
 * One warp per query row (fwd, dq, delta) or per key row (dkdv); block 128, grid-stride over rows.
 */
export const attentionAbi: KernelFamily = {
  file: "attention.cu",
  kernels(add) {
    const n = "i64" as const;
    const att = ["ptr", "ptr", "ptr"] as const; // q, k, v
    const dims = [n, n, n, n, n, n, "f64", "i32", n] as const; // B, H, Hkv, T, S, D, scale, causal, causalOffset
    for (const t of FLOAT_SUFFIXES) {
      // (q, k, v, out, lse [B, H, T], ...dims)
      add(`attention_fwd_${t}`, [...att, "ptr", "ptr", ...dims]);
      // (out, dout, delta [rows], rows, D): delta = Σ_d out·dout per row
      add(`attention_bwd_delta_${t}`, ["ptr", "ptr", "ptr", n, n]);
      // (q, k, v, dout, lse, delta, dq, ...dims)
      add(`attention_bwd_dq_${t}`, [...att, "ptr", "ptr", "ptr", "ptr", ...dims]);
      // (q, k, v, dout, lse, delta, dk, dv, ...dims): each kv row sums over its group's query heads
      add(`attention_bwd_dkdv_${t}`, [...att, "ptr", "ptr", "ptr", "ptr", "ptr", ...dims]);
    }
  },
};
