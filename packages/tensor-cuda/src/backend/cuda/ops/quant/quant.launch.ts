import type { AttentionSpec, CrossEntropySpec, GptqMatmulSpec, QuantGridSpec, Storage } from "../backend.js";
import type { CudaContext } from "./context.js";
import { reduce } from "./reduce-ops.js";
import type { CudaStorage } from "./storage.js";
import { floatSuffix } from "./suffixes.js";

/*
 * The optional fused primitives (attention, cross-entropy, RoPE): fewer passes over memory and,
 * for attention, no [T, S] score matrix at all, which is what lets long sequences fit.
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

/** GEMV_MAX_ROWS and GEMV_CHUNK of quant.cu's gptq_gemv_f32. */
export const GEMV_MAX_ROWS = 8;
const GEMV_CHUNK = 256;

export class FusedOps {
  constructor(
    private readonly c: CudaContext,
    private readonly ew: {
      cast(s: Storage, to: Storage["dtype"]): CudaStorage;
      zeros(dtype: Storage["dtype"], n: number): CudaStorage;
    },
  ) {}

  dequantizeGptq(
    qweight: Storage,
    qzeros: Storage,
    scales: Storage,
    gIdx: Storage,
    spec: { inFeatures: number; outFeatures: number; groups: number; bits: number },
  ): CudaStorage {
    for (const [name, s] of [
      ["qweight", qweight],
      ["qzeros", qzeros],
      ["g_idx", gIdx],
    ] as const) {
      if (s.dtype !== "int32") throw new TypeError(`dequantize_gptq: ${name} must be int32, got ${s.dtype}`);
    }
    const sc = scales.dtype === "float32" ? scales : this.ew.cast(scales, "float32");
    const n = spec.inFeatures * spec.outFeatures;
    const wt = this.c.alloc("float32", n);
    this.c.launch1d("dequant_gptq_f32", n, [
      this.c.ptr(qweight),
      this.c.ptr(qzeros),
      this.c.ptr(sc),
      this.c.ptr(gIdx),
      wt.address(),
      spec.inFeatures,
      spec.outFeatures,
      spec.groups,
      spec.bits,
      this.c.errorPointer,
    ]);
    if (sc !== scales) sc.dispose();
    return wt;
  }

  /**
   * x [rows ≤ 8, in] · Wᵀ with W read from the packed GPTQ buffers as it goes (decoding): per K
   * chunk of 256 inputs a partial sum, then one reduction over the chunks.
   */
  gptqMatmul(
    x: Storage,
    qweight: Storage,
    qzeros: Storage,
    scales: Storage,
    gIdx: Storage,
    spec: GptqMatmulSpec,
  ): CudaStorage {
    const { rows, inFeatures, outFeatures } = spec;
    if (!(rows >= 1 && rows <= GEMV_MAX_ROWS)) {
      throw new RangeError(`gptq_matmul: takes 1 to ${GEMV_MAX_ROWS} rows, got ${rows}`);
    }
    for (const [name, s] of [
      ["qweight", qweight],
      ["qzeros", qzeros],
      ["g_idx", gIdx],
    ] as const) {
      if (s.dtype !== "int32") throw new TypeError(`gptq_matmul: ${name} must be int32, got ${s.dtype}`);
    }
    const xs = x.dtype === "float32" ? x : this.ew.cast(x, "float32");
    const sc = scales.dtype === "float32" ? scales : this.ew.cast(scales, "float32");
    const chunks = Math.ceil(inFeatures / GEMV_CHUNK);
    const partial = this.c.alloc("float32", chunks * rows * outFeatures);
    this.c.launch(
      "gptq_gemv_f32",
      [
        this.c.ptr(xs),
        this.c.ptr(qweight),
        this.c.ptr(qzeros),
        this.c.ptr(sc),
        this.c.ptr(gIdx),
        partial.address(),
        rows,
        inFeatures,
        outFeatures,
        spec.groups,
        spec.bits,
        this.c.errorPointer,
      ],
      [Math.ceil(outFeatures / 128), chunks, 1],
      [128, 1, 1],
    );
    if (xs !== x) xs.dispose();
    if (sc !== scales) sc.dispose();
    if (chunks === 1) return partial;
    const y = reduce(this.c, "sum", partial, 1, chunks, rows * outFeatures, (d, n) => this.ew.zeros(d, n));
    partial.dispose();
    return y;
  }

  private float32(s: Storage, what: string): void {
    if (s.dtype !== "float32") throw new TypeError(`${what} must be float32 on cuda, got ${s.dtype}`);
  }

  quantGrid(w: Storage, spec: QuantGridSpec): { scale: CudaStorage; zero: CudaStorage } {
    this.float32(w, "quant_grid: the weight");
    const n = spec.groups * spec.out;
    const scale = this.c.alloc("float32", n);
    const zero = this.c.alloc("float32", n);
    this.c.launch1d("quant_grid_f32", n, [
      this.c.ptr(w),
      scale.address(),
      zero.address(),
      spec.out,
      spec.inFeatures,
      spec.groupLen,
      spec.groups,
      spec.maxq,
      spec.sym ? 1 : 0,
    ]);
    return { scale, zero };
  }

  fakeQuant(
    w: Storage,
    scale: Storage,
    zero: Storage,
    spec: QuantGridSpec,
    withScaleGrad: boolean,
  ): { y: CudaStorage; mask: CudaStorage; ds: CudaStorage | null } {
    this.float32(w, "fake_quantize: the weight");
    this.float32(scale, "fake_quantize: the scale");
    this.float32(zero, "fake_quantize: the zero points");
    const n = spec.out * spec.inFeatures;
    const y = this.c.alloc("float32", n);
    const mask = this.c.alloc("bool", n);
    const ds = withScaleGrad ? this.c.alloc("float32", n) : null;
    this.c.launch1d("fake_quant_f32", n, [
      this.c.ptr(w),
      this.c.ptr(scale),
      this.c.ptr(zero),
      y.address(),
      mask.address(),
      ds ? ds.address() : 0n,
      spec.out,
      spec.inFeatures,
      spec.groupLen,
      spec.maxq,
    ]);
    return { y, mask, ds };
  }

  fakeQuantScaleGrad(g: Storage, ds: Storage, spec: QuantGridSpec, gradScale: number): CudaStorage {
    this.float32(g, "fake_quantize backward: the gradient");
    const n = spec.groups * spec.out;
    const gs = this.c.alloc("float32", n);
    this.c.launch1d("fake_quant_scale_grad_f32", n, [
      this.c.ptr(g),
      this.c.ptr(ds),
      gs.address(),
      spec.out,
      spec.inFeatures,
      spec.groupLen,
      spec.groups,
      gradScale,
    ]);
    return gs;
  }

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

  crossEntropy(
    logits: Storage,
    targets: Storage,
    spec: CrossEntropySpec,
  ): { loss: CudaStorage; lse: CudaStorage } {
    const t = floatSuffix("cross_entropy", logits);
    if (targets.dtype !== "int32")
      throw new TypeError(`cross_entropy: targets must be int32, got ${targets.dtype}`);
    const loss = this.c.alloc(logits.dtype, spec.rows);
    const lse = this.c.alloc(logits.dtype, spec.rows);
    this.c.launchRows(`cross_entropy_fwd_${t}`, spec.rows, spec.classes, [
      this.c.ptr(logits),
      this.c.ptr(targets),
      loss.address(),
      lse.address(),
      spec.rows,
      spec.classes,
      spec.ignoreIndex,
      spec.labelSmoothing,
      this.c.errorPointer,
    ]);
    return { loss, lse };
  }

  crossEntropyBackward(
    logits: Storage,
    targets: Storage,
    lse: Storage,
    gloss: Storage,
    spec: CrossEntropySpec,
  ): CudaStorage {
    const t = floatSuffix("cross_entropy backward", logits);
    const d = this.c.alloc(logits.dtype, spec.rows * spec.classes);
    this.c.launchRows(`cross_entropy_bwd_${t}`, spec.rows, spec.classes, [
      this.c.ptr(logits),
      this.c.ptr(targets),
      this.c.ptr(lse),
      this.c.ptr(gloss),
      d.address(),
      spec.rows,
      spec.classes,
      spec.ignoreIndex,
      spec.labelSmoothing,
    ]);
    return d;
  }

  rope(
    x: Storage,
    cos: Storage,
    sin: Storage,
    rows: number,
    positions: number,
    dim: number,
    inverse: boolean,
  ): CudaStorage {
    const t = floatSuffix("rope", x);
    const y = this.c.alloc(x.dtype, rows * dim);
    this.c.launch1d(`rope_${t}`, rows * dim, [
      this.c.ptr(x),
      this.c.ptr(cos),
      this.c.ptr(sin),
      y.address(),
      rows,
      positions,
      dim,
      inverse ? -1 : 1,
    ]);
    return y;
  }
}
