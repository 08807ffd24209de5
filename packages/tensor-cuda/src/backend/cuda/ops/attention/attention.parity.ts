import { rope, ropeTables, scaledDotProductAttention } from "../../../../ops/index.js";
import { type AddParityCase, input, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of attention.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on "cuda"
 * and compares every output and gradient): causal and not, GQA, KV-cache offsets, rows that see
 * nothing, float64.
 */

export function attentionParity(add: AddParityCase): void {
  add("causal grouped-query attention with RoPE", (d) => {
    const q = input(d, [1, 4, 6, 8], 43, { grad: true });
    const k = input(d, [1, 2, 6, 8], 44, { grad: true });
    const v = input(d, [1, 2, 6, 8], 45, { grad: true });
    const { cos, sin } = ropeTables(6, 8);
    const qr = rope(q, cos.to(d), sin.to(d));
    const kr = rope(k, cos.to(d), sin.to(d));
    return withGrads([scaledDotProductAttention(qr, kr, v, { causal: true })], [q, k, v]);
  });
  add("attention without a causal mask, S ≠ T, head dim 40", (d) => {
    const q = input(d, [2, 3, 5, 40], 50, { grad: true });
    const k = input(d, [2, 3, 11, 40], 51, { grad: true });
    const v = input(d, [2, 3, 11, 40], 52, { grad: true });
    return withGrads([scaledDotProductAttention(q, k, v)], [q, k, v]);
  });
  add("causal attention after a KV cache (T 3 of S 9), GQA 4:1", (d) => {
    const q = input(d, [1, 4, 3, 16], 53, { grad: true });
    const k = input(d, [1, 1, 9, 16], 54, { grad: true });
    const v = input(d, [1, 1, 9, 16], 55, { grad: true });
    return withGrads([scaledDotProductAttention(q, k, v, { causal: true, scale: 0.3 })], [q, k, v]);
  });
  add("causal attention with more queries than keys (rows that see nothing)", (d) => {
    const q = input(d, [1, 2, 5, 8], 56, { grad: true });
    const k = input(d, [1, 2, 3, 8], 57, { grad: true });
    const v = input(d, [1, 2, 3, 8], 58, { grad: true });
    return withGrads([scaledDotProductAttention(q, k, v, { causal: true })], [q, k, v]);
  });
  add(
    "attention in float64",
    (d) => {
      const q = input(d, [1, 2, 7, 12], 59, { grad: true, dtype: "float64" });
      const k = input(d, [1, 2, 7, 12], 60, { grad: true, dtype: "float64" });
      const v = input(d, [1, 2, 7, 12], 61, { grad: true, dtype: "float64" });
      return withGrads([scaledDotProductAttention(q, k, v, { causal: true })], [q, k, v]);
    },
    { atol: 1e-12, rtol: 1e-10 },
  );
}
