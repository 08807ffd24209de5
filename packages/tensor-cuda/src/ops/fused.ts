import type { AttentionSpec, Backend, CrossEntropySpec } from "../backend/backend.js";
import { recordOp, type Tensor, wrap } from "../tensor.js";
import { backendOf } from "./util.js";

/*
 * Routes to a backend's optional fused kernels (attention, cross-entropy, RoPE). The composed
 * definitions in transformer.ts and loss.ts stay the reference: they are what the CPU runs and
 * what the CUDA parity tests compare the fused kernels with. Each helper returns null when the
 * backend has no fused kernel or the case is outside what the kernel handles.
 */

const MAX_FUSED_HEAD_DIM = 256;

function isFloatCompute(t: Tensor): boolean {
  return t.dtype === "float32" || t.dtype === "float64";
}

/** Fused attention on q [B, H, T, D], k and v [B, Hkv, S, D]; null to compose instead. */
export function fusedAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  scale: number,
  causal: boolean,
): Tensor | null {
  const b: Backend = backendOf(q);
  const attention = b.attention;
  const attentionBackward = b.attentionBackward;
  if (!attention || !attentionBackward) return null;
  const [B, H, T, D] = q.shape;
  const [, Hkv, S] = k.shape;
  if (v.shape[3] !== D || D > MAX_FUSED_HEAD_DIM || !isFloatCompute(q) || T === 0 || S === 0) return null;
  const spec: AttentionSpec = {
    batch: B,
    heads: H,
    kvHeads: Hkv,
    queries: T,
    keys: S,
    headDim: D,
    scale,
    causal,
    causalOffset: S - T,
  };
  const r = attention.call(b, q.storage, k.storage, v.storage, spec);
  const out = wrap(r.out, q.shape);
  const lse = wrap(r.lse, [B, H, T]);
  return recordOp(
    "attention",
    [q, k, v],
    out,
    (g) => {
      const d = attentionBackward.call(
        b,
        q.storage,
        k.storage,
        v.storage,
        out.storage,
        lse.storage,
        g.storage,
        spec,
      );
      return [wrap(d.dq, q.shape), wrap(d.dk, k.shape), wrap(d.dv, v.shape)];
    },
    [lse],
  );
}

/**
 * Fused per-element cross-entropy of logits [..., V] against int32 targets [...] (0 where the
 * target is ignored); null to compose instead.
 */
export function fusedCrossEntropy(
  logits: Tensor,
  targets: Tensor,
  ignoreIndex: number,
  labelSmoothing: number,
): Tensor | null {
  const b = backendOf(logits);
  const crossEntropy = b.crossEntropy;
  const crossEntropyBackward = b.crossEntropyBackward;
  if (!crossEntropy || !crossEntropyBackward || !isFloatCompute(logits) || targets.dtype !== "int32")
    return null;
  const classes = logits.shape[logits.rank - 1];
  const spec: CrossEntropySpec = { rows: targets.size, classes, ignoreIndex, labelSmoothing };
  const r = crossEntropy.call(b, logits.storage, targets.storage, spec);
  const loss = wrap(r.loss, targets.shape);
  const lse = wrap(r.lse, [targets.size]);
  return recordOp(
    "cross_entropy",
    [logits],
    loss,
    (g) => [
      wrap(
        crossEntropyBackward.call(b, logits.storage, targets.storage, lse.storage, g.storage, spec),
        logits.shape,
      ),
    ],
    [targets, lse],
  );
}

/** Fused rotate-half RoPE when cos and sin are plain [T, D] tables for x [..., T, D]; else null. */
export function fusedRope(x: Tensor, cos: Tensor, sin: Tensor): Tensor | null {
  const b = backendOf(x);
  const rope = b.rope;
  if (!rope || !isFloatCompute(x) || x.rank < 2) return null;
  const D = x.shape[x.rank - 1];
  const T = x.shape[x.rank - 2];
  const table = (t: Tensor) =>
    t.rank === 2 &&
    t.shape[0] === T &&
    t.shape[1] === D &&
    t.dtype === x.dtype &&
    !t.requiresGrad &&
    t.device === x.device;
  if (!table(cos) || !table(sin) || x.size === 0) return null;
  const rows = x.size / D;
  const y = wrap(rope.call(b, x.storage, cos.storage, sin.storage, rows, T, D, false), x.shape);
  return recordOp(
    "rope",
    [x],
    y,
    (g) => [wrap(rope.call(b, g.storage, cos.storage, sin.storage, rows, T, D, true), x.shape)],
    [cos, sin],
  );
}
