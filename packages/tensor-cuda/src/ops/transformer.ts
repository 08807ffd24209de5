import { DTypeError, fmt, ShapeError } from "../shape.js";
import { Tensor } from "../tensor.js";
import { fusedAttention, fusedRope } from "./fused.js";
import { cat, slice } from "./layout.js";
import { matmul, matmulNT } from "./matmul.js";
import { causalSoftmax, softmax } from "./softmax.js";

/** The cos/sin tables of rotary embeddings, [positions, headDim], in HF's rotate-half layout. */
export function ropeTables(
  positions: number | Tensor,
  headDim: number,
  theta = 10000,
): { cos: Tensor; sin: Tensor } {
  const pos = typeof positions === "number" ? Tensor.arange(positions) : positions;
  const p = pos.cast("int32").dataSync() as Int32Array;
  const half = headDim / 2;
  const cos = new Float32Array(p.length * headDim);
  const sin = new Float32Array(p.length * headDim);
  for (let i = 0; i < p.length; i++) {
    for (let j = 0; j < half; j++) {
      // inv_freq is computed in float32 as transformers does, so angles match bit for bit.
      const invFreq = Math.fround(1 / Math.fround(theta ** Math.fround((2 * j) / headDim)));
      const ang = Math.fround(p[i] * invFreq);
      cos[i * headDim + j] = cos[i * headDim + j + half] = Math.cos(ang);
      sin[i * headDim + j] = sin[i * headDim + j + half] = Math.sin(ang);
    }
  }
  return { cos: Tensor.from(cos, [p.length, headDim]), sin: Tensor.from(sin, [p.length, headDim]) };
}

/** Rotary position embedding, rotate-half convention: x·cos + rotate_half(x)·sin. */
export function rope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const d = x.shape[x.rank - 1];
  if (d % 2 !== 0) throw new ShapeError(`rope: head dim must be even, got ${fmt(x.shape)}`);
  const fused = fusedRope(x, cos, sin);
  if (fused) return fused;
  const half = d / 2;
  const x1 = slice(x, -1, 0, half);
  const x2 = slice(x, -1, half, d);
  const rotated = cat([x2.neg(), x1], -1);
  return x.mul(cos).add(rotated.mul(sin));
}

export interface AttentionOptions {
  causal?: boolean;
  /** Defaults to 1/sqrt(headDim). */
  scale?: number;
  /** Additive mask broadcast to [batch, heads, queries, keys] (e.g. padding), applied before softmax. */
  mask?: Tensor | null;
}

/**
 * Scaled dot-product attention. q [B, H, T, D]; k, v [B, Hkv, S, D] with H a multiple of Hkv
 * (grouped-query attention: each KV head serves H/Hkv query heads). With `causal`, query i sees
 * keys j <= i + (S - T), which is right both for a full sequence and after a KV cache.
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions = {},
): Tensor {
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4) {
    throw new ShapeError(
      `attention: q, k, v must be [B, H, T, D]; got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`,
    );
  }
  const [B, H, T, D] = q.shape;
  const [Bk, Hkv, S, Dk] = k.shape;
  if (Bk !== B || Dk !== D || v.shape[0] !== B || v.shape[1] !== Hkv || v.shape[2] !== S) {
    throw new ShapeError(
      `attention: q ${fmt(q.shape)}, k ${fmt(k.shape)}, v ${fmt(v.shape)} do not fit together`,
    );
  }
  if (q.dtype !== k.dtype || q.dtype !== v.dtype) {
    throw new DTypeError(`attention: q is ${q.dtype}, k ${k.dtype}, v ${v.dtype}; they must match`);
  }
  if (H % Hkv !== 0)
    throw new ShapeError(`attention: ${H} query heads are not a multiple of ${Hkv} KV heads`);
  const scale = opts.scale ?? 1 / Math.sqrt(D);
  if (!opts.mask) {
    const fused = fusedAttention(q, k, v, scale, opts.causal ?? false);
    if (fused) return fused;
  }
  const rep = H / Hkv;
  const kk = rep === 1 ? k : k.unsqueeze(2).expand([B, Hkv, rep, S, D]).reshape([B, H, S, D]);
  const vv =
    rep === 1 ? v : v.unsqueeze(2).expand([B, Hkv, rep, S, v.shape[3]]).reshape([B, H, S, v.shape[3]]);
  // Scaling q ([.., T, D]) rather than the scores ([.., T, S]) is the same product, on fewer elements.
  let scores = matmulNT(q.mul(scale), kk);
  if (opts.mask) scores = scores.add(opts.mask);
  const p = opts.causal ? causalSoftmax(scores, S - T) : softmax(scores, -1);
  return matmul(p, vv);
}
