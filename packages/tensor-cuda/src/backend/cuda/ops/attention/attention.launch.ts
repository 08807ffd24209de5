import type { AttentionSpec, Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";
import { floatSuffix } from "../../suffixes.js";

/*
 * Fused scaled-dot-product attention: no [T, S] score matrix at all (online softmax), which is
 * what lets long sequences fit; the backward recomputes the scores from the saved log-sum-exp.
 */

function attentionDims(s: AttentionSpec) {
  return [
    s.batch,
    s.heads,
    s.kvHeads,
    s.queries,
    s.keys,
    s.headDim,
    s.scale,
    s.causal ? 1 : 0,
    s.causalOffset,
  ];
}

export class AttentionOps {
  constructor(private readonly c: CudaContext) {}

  attention(q: Storage, k: Storage, v: Storage, spec: AttentionSpec): { out: CudaStorage; lse: CudaStorage } {
    const t = floatSuffix("attention", q);
    const rows = spec.batch * spec.heads * spec.queries;
    const out = this.c.alloc(q.dtype, rows * spec.headDim);
    const lse = this.c.alloc(q.dtype, rows);
    this.c.launchWarps(`attention_fwd_${t}`, rows, [
      this.c.ptr(q),
      this.c.ptr(k),
      this.c.ptr(v),
      out.address(),
      lse.address(),
      ...attentionDims(spec),
    ]);
    return { out, lse };
  }

  attentionBackward(
    q: Storage,
    k: Storage,
    v: Storage,
    out: Storage,
    lse: Storage,
    dout: Storage,
    spec: AttentionSpec,
  ): { dq: CudaStorage; dk: CudaStorage; dv: CudaStorage } {
    const t = floatSuffix("attention backward", q);
    const rows = spec.batch * spec.heads * spec.queries;
    const kvRows = spec.batch * spec.kvHeads * spec.keys;
    const delta = this.c.alloc(q.dtype, rows);
    this.c.launchWarps(`attention_bwd_delta_${t}`, rows, [
      this.c.ptr(out),
      this.c.ptr(dout),
      delta.address(),
      rows,
      spec.headDim,
    ]);
    const common = [
      this.c.ptr(q),
      this.c.ptr(k),
      this.c.ptr(v),
      this.c.ptr(dout),
      this.c.ptr(lse),
      delta.address(),
    ];
    const dq = this.c.alloc(q.dtype, rows * spec.headDim);
    this.c.launchWarps(`attention_bwd_dq_${t}`, rows, [...common, dq.address(), ...attentionDims(spec)]);
    const dk = this.c.alloc(q.dtype, kvRows * spec.headDim);
    const dv = this.c.alloc(q.dtype, kvRows * spec.headDim);
    this.c.launchWarps(`attention_bwd_dkdv_${t}`, kvRows, [
      ...common,
      dk.address(),
      dv.address(),
      ...attentionDims(spec),
    ]);
    delta.dispose();
    return { dq, dk, dv };
  }
}
