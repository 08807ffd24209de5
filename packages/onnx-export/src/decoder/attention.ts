/**
 * Causal self-attention with a KV cache, as tensor-cuda's scaledDotProductAttention computes it:
 * scores = (q·scale)·kᵀ + bias, softmax over keys, then ·v. Grouped-query attention reshapes q
 * to [B, KV, H/KV, T, D] and lets MatMul broadcast k and v over the group axis, so no copy of
 * the cache is made per step.
 */
import type { GraphBuilder } from "../graph/builder.js";
import { mergeHeads } from "../graph/nn.js";

const ints = (v: number[]) => ({ ints: v });

export interface AttentionArgs {
  /** Rotated queries [B, H, T, D], and the new keys and values [B, KV, T, D]. */
  q: string;
  k: string;
  v: string;
  /** This layer's past_key_values inputs, [B, KV, P, D]. */
  pastKey: string;
  pastValue: string;
  /** Additive bias [B, 1, T, P + T]: 0, −1e30 on padding, −inf after the query (causal). */
  bias: string;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Default 1/√headDim. */
  scale?: number;
}

/** Returns the attention output [B, T, H·D] and the present keys and values [B, KV, P + T, D]. */
export function cachedAttention(
  g: GraphBuilder,
  a: AttentionArgs,
): { out: string; presentKey: string; presentValue: string } {
  const { heads: H, kvHeads: KV, headDim: D } = a;
  const presentKey = g.op("Concat", [a.pastKey, a.k], { axis: { int: 2 } });
  const presentValue = g.op("Concat", [a.pastValue, a.v], { axis: { int: 2 } });
  const q = g.op("Mul", [a.q, g.scalar(a.scale ?? 1 / Math.sqrt(D))]);
  const kT = g.op("Transpose", [presentKey], { perm: ints([0, 1, 3, 2]) });
  let o: string;
  if (H === KV) {
    const scores = g.op("Add", [g.op("MatMul", [q, kT]), a.bias]);
    o = g.op("MatMul", [g.op("Softmax", [scores], { axis: { int: -1 } }), presentValue]);
  } else {
    const rep = H / KV;
    const q5 = g.op("Reshape", [q, g.int64s([0, KV, rep, -1, D])]);
    const k5 = g.op("Unsqueeze", [kT, g.int64s([2])]);
    const bias5 = g.op("Unsqueeze", [a.bias, g.int64s([1])]);
    const scores = g.op("Add", [g.op("MatMul", [q5, k5]), bias5]);
    const p = g.op("Softmax", [scores], { axis: { int: -1 } });
    const o5 = g.op("MatMul", [p, g.op("Unsqueeze", [presentValue, g.int64s([2])])]);
    o = g.op("Reshape", [o5, g.int64s([0, H, -1, D])]);
  }
  return { out: mergeHeads(g, o, H, D), presentKey, presentValue };
}
