import type { DType, TypedArray } from "../dtype.js";
import type { LinalgKernels } from "./linalg.js";

export type Device = "cpu" | "cuda";

/**
 * A block of device memory holding `length` contiguous elements of `dtype`. Backends subclass it;
 * ops above the seam never look inside.
 */
export interface Storage {
  readonly device: Device;
  readonly dtype: DType;
  readonly length: number;
  /** Tensors sharing this storage (reshapes, detached views): tensor.ts frees it when none is left. */
  refs: number;
  /** Frees device memory now rather than when the GC gets round to it. Idempotent. */
  dispose(): void;
}

export type UnaryOp =
  | "neg"
  | "exp"
  | "log"
  | "sqrt"
  | "rsqrt"
  | "abs"
  | "tanh"
  | "sigmoid"
  | "relu"
  | "gelu"
  | "gelu_tanh"
  | "silu"
  | "sin"
  | "cos"
  | "square"
  | "reciprocal"
  | "sign"
  | "floor"
  | "round"
  | "logical_not";

/** Unary ops whose derivative a backend computes fused: out = g * f'(x). */
export type UnaryGradOp = "gelu" | "gelu_tanh" | "silu" | "tanh" | "sigmoid";

export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | CompareOp;
export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export type ReduceOp = "sum" | "max" | "min" | "argmax" | "argmin";

/** A view over contiguous storage: which elements, in which order (for permute, slice, expand). */
export interface StridedView {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

export interface MatmulSpec {
  /** Number of independent products; `aBatched`/`bBatched` false means one operand is shared. */
  batch: number;
  m: number;
  k: number;
  n: number;
  /** A is stored [k, m] instead of [m, k]. */
  transA: boolean;
  /** B is stored [n, k] instead of [k, n]. */
  transB: boolean;
  aBatched: boolean;
  bBatched: boolean;
}

/** Row-wise softmax over [rows, cols]; optional causal mask for attention scores. */
export interface SoftmaxSpec {
  rows: number;
  cols: number;
  log: boolean;
  /** Row r is query (r % queries); it may see keys j <= (r % queries) + offset. */
  causal?: { queries: number; offset: number };
}

/** Fused attention: q [B, H, T, D], k and v [B, Hkv, S, D], contiguous; see Backend.attention. */
export interface AttentionSpec {
  batch: number;
  heads: number;
  kvHeads: number;
  queries: number;
  keys: number;
  headDim: number;
  scale: number;
  /** Query i sees keys j <= i + causalOffset. */
  causal: boolean;
  causalOffset: number;
}

/** Row-wise cross-entropy of logits [rows, classes] against int32 targets [rows]. */
export interface CrossEntropySpec {
  rows: number;
  classes: number;
  ignoreIndex: number;
  labelSmoothing: number;
}

/** A quantization grid over a weight [out, in]: groups of groupLen input columns, [groups, out] parameters. */
export interface QuantGridSpec {
  out: number;
  inFeatures: number;
  groupLen: number;
  groups: number;
  maxq: number;
  sym: boolean;
}

/** The packed matmul's shapes: x [rows, inFeatures], W [outFeatures, inFeatures] packed in `bits`. */
export interface GptqMatmulSpec {
  rows: number;
  inFeatures: number;
  outFeatures: number;
  groups: number;
  bits: number;
}

/** GPTQ of one weight [rows, cols] on its calibration Hessian [cols, cols]. */
export interface GptqSpec {
  rows: number;
  cols: number;
  maxq: number;
  sym: boolean;
  /** Columns per grid, or −1 for one grid per row. */
  groupSize: number;
  /** Every group's grid fixed from the weight before any update (with groups only). */
  staticGroups: boolean;
  /** Columns per lazy batch update. */
  blockSize: number;
  /** Diagonal damping as a fraction of the diagonal's mean. */
  percDamp: number;
  /** Column order to quantize in (act-order), or null for 0..cols−1. */
  perm: Int32Array | null;
}

/** What the device GPTQ leaves on the device; the caller reads `info` and `loss`. */
export interface GptqStorages {
  /** int32 [rows, cols], original column order. */
  codes: Storage;
  /** float32 [rows, cols], original column order. */
  dequantized: Storage;
  /** float32 [groups, rows] (groups in quantization order unless static). */
  scale: Storage;
  zero: Storage;
  /** float64 [rows]: Σ over the row of (w − q)²/U[c,c]² (half the sum is GPTQ's loss). */
  loss: Storage;
  /** int32 [1]: 0, or 1 + the first non-positive pivot of the reversed damped Hessian. */
  info: Storage;
}

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
}

/**
 * The seam between ops and devices (after jax-js and candle): a few dozen primitives on
 * contiguous buffers. Every user-facing op is defined once above it; a new device is a new
 * folder implementing this interface.
 */
export interface Backend {
  readonly device: Device;
  /** Zero-filled storage. */
  zeros(dtype: DType, length: number): Storage;
  fromArray(data: TypedArray, dtype: DType): Storage;
  full(dtype: DType, length: number, value: number): Storage;
  read(s: Storage): Promise<TypedArray>;
  /** Synchronous read where the device allows it (CPU); undefined elsewhere. */
  readSync?(s: Storage): TypedArray;
  cast(s: Storage, to: DType): Storage;

  unary(op: UnaryOp, x: Storage): Storage;
  unaryGrad(op: UnaryGradOp, x: Storage, g: Storage): Storage;
  /** out = pow(x, exponent) for a scalar exponent. */
  powScalar(x: Storage, exponent: number): Storage;
  clamp(x: Storage, min: number, max: number): Storage;
  /** Broadcasting binary op; each operand is read through a view of `outShape`. */
  binary(
    op: BinaryOp,
    a: Storage,
    av: StridedView,
    b: Storage,
    bv: StridedView,
    outShape: readonly number[],
  ): Storage;
  where(
    cond: Storage,
    cv: StridedView,
    a: Storage,
    av: StridedView,
    b: Storage,
    bv: StridedView,
    outShape: readonly number[],
  ): Storage;
  /** Reduce the middle axis of [outer, size, inner] to [outer, inner]. */
  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage;

  /** Batched GEMM; `bias` ([n]) is added to every output row, fused where the backend can. */
  matmul(a: Storage, b: Storage, spec: MatmulSpec, bias?: Storage | null): Storage;

  /** Gathers a strided view of x into new contiguous storage. */
  copyStrided(x: Storage, view: StridedView): Storage;
  /** Writes contiguous `src` into the strided region `view` of `dst`, in place. */
  copyInto(dst: Storage, view: StridedView, src: Storage): void;

  /** out[o, j, i] = x[o, index[o, j, i], i]; x is [outer, dimX, inner], index [outer, dimIdx, inner]. */
  gather(x: Storage, index: Storage, outer: number, dimX: number, dimIdx: number, inner: number): Storage;
  /** Adjoint of gather: out (zeros [outer, dimX, inner]) [o, index[o,j,i], i] += src[o, j, i]. */
  scatterAdd(
    base: Storage,
    index: Storage,
    src: Storage,
    outer: number,
    dimX: number,
    dimIdx: number,
    inner: number,
  ): Storage;
  /** out[o, j, i] = x[o, index[j], i]. */
  indexSelect(x: Storage, index: Storage, outer: number, dim: number, inner: number): Storage;
  /** Adjoint of indexSelect: zeros [outer, dim, inner] with out[o, index[j], i] += src[o, j, i]. */
  indexAdd(src: Storage, index: Storage, outer: number, dim: number, inner: number): Storage;

  softmax(x: Storage, spec: SoftmaxSpec): Storage;
  /** Gradient wrt the input of softmax/log-softmax, from the output y and its gradient g. */
  softmaxBackward(y: Storage, g: Storage, spec: SoftmaxSpec): Storage;

  layerNorm(
    x: Storage,
    weight: Storage | null,
    bias: Storage | null,
    rows: number,
    cols: number,
    eps: number,
  ): { y: Storage; mean: Storage; rstd: Storage };
  layerNormBackward(
    x: Storage,
    weight: Storage | null,
    mean: Storage,
    rstd: Storage,
    g: Storage,
    rows: number,
    cols: number,
  ): { dx: Storage; dweight: Storage | null; dbias: Storage };
  rmsNorm(
    x: Storage,
    weight: Storage | null,
    rows: number,
    cols: number,
    eps: number,
  ): { y: Storage; rstd: Storage };
  rmsNormBackward(
    x: Storage,
    weight: Storage | null,
    rstd: Storage,
    g: Storage,
    rows: number,
    cols: number,
  ): { dx: Storage; dweight: Storage | null };

  /** AdamW in place on p, m, v (PyTorch's decoupled weight decay). */
  adamwStep(p: Storage, g: Storage, m: Storage, v: Storage, h: AdamWHyper): void;

  // ---- optional fused kernels: ops use them where a backend has them, else compose ----

  /** Cholesky, triangular inverse/solve, eigh, SVD: what the `linalg` ops run on. */
  linalg?: LinalgKernels;

  /**
   * softmax(scale·q·kᵀ, causal mask)·v without materialising the scores; also the row
   * log-sum-exp [B, H, T] the backward needs (−∞ for a row that sees no key, whose output is 0).
   */
  attention?(q: Storage, k: Storage, v: Storage, spec: AttentionSpec): { out: Storage; lse: Storage };
  attentionBackward?(
    q: Storage,
    k: Storage,
    v: Storage,
    out: Storage,
    lse: Storage,
    dout: Storage,
    spec: AttentionSpec,
  ): { dq: Storage; dk: Storage; dv: Storage };
  /** Per-row loss (0 for ignored rows) and log-sum-exp; targets int32. */
  crossEntropy?(logits: Storage, targets: Storage, spec: CrossEntropySpec): { loss: Storage; lse: Storage };
  /** d loss / d logits for a per-row loss gradient `gloss` [rows]. */
  crossEntropyBackward?(
    logits: Storage,
    targets: Storage,
    lse: Storage,
    gloss: Storage,
    spec: CrossEntropySpec,
  ): Storage;
  /** Rotate-half RoPE of x [rows, dim] (row r at position r % positions) with cos/sin [positions, dim]; `inverse` is the backward. */
  rope?(
    x: Storage,
    cos: Storage,
    sin: Storage,
    rows: number,
    positions: number,
    dim: number,
    inverse: boolean,
  ): Storage;

  /**
   * y [rows, n] = x [rows, k] · Wᵀ (+ bias) for a float32 x and a weight W [n, k] kept at half
   * width (bfloat16/float16), without a float32 copy of W: `linear` on such a weight, forward only.
   */
  halfWeightMatmul?(
    x: Storage,
    w: Storage,
    rows: number,
    k: number,
    n: number,
    bias: Storage | null,
  ): Storage;
  /** Quantization kernels (quantized/ defines the ops on Tensor); absent where a backend has none. */
  quant?: QuantKernels;
}

/** A packed GPTQ weight's dimensions (qweight int32 [in·bits/32, out], scales [groups, out]). */
export interface PackedSpec {
  inFeatures: number;
  outFeatures: number;
  groups: number;
  bits: number;
}

/**
 * The extension interface behind quantized/: fake quantization and its gradients, packed
 * low-bit weights, and the GPTQ column solve. A backend implements it as one object; ops above
 * never reach it except through quantized/.
 */
export interface QuantKernels {
  /** Min-max grid (scale and integer zero per group and output channel) of a float32 weight [out, in]. */
  quantGrid(w: Storage, spec: QuantGridSpec): { scale: Storage; zero: Storage };
  /** Fake quantization on a grid, with the STE clip mask (bool) and, if asked, ∂ŵ/∂s (LSQ). */
  fakeQuant(
    w: Storage,
    scale: Storage,
    zero: Storage,
    spec: QuantGridSpec,
    withScaleGrad: boolean,
  ): { y: Storage; mask: Storage; ds: Storage | null };
  /** LSQ's step-size gradient [groups, out]: Σ_group g·∂ŵ/∂s, times gradScale. */
  fakeQuantScaleGrad(g: Storage, ds: Storage, spec: QuantGridSpec, gradScale: number): Storage;
  /**
   * The float32 weight of packed GPTQ buffers (codes int32 [in·bits/32, out], v2 zero points
   * int32 [groups, out·bits/32], scales [groups, out], g_idx int32 [in]) TRANSPOSED: [in, out],
   * ready for x·W.
   */
  dequantizePacked(
    qweight: Storage,
    qzeros: Storage,
    scales: Storage,
    gIdx: Storage,
    spec: PackedSpec,
  ): Storage;
  /**
   * y [rows, out] = x [rows, in] · Wᵀ straight from the packed buffers, or null where this backend
   * has no direct kernel for the case (the op then dequantizes and multiplies).
   */
  packedMatmul(
    x: Storage,
    qweight: Storage,
    qzeros: Storage,
    scales: Storage,
    gIdx: Storage,
    spec: GptqMatmulSpec,
  ): Storage | null;
  /** Drops whatever the backend prepared for these packed buffers (they were written in place). */
  forgetPacked?(qweight: Storage): void;
  /** GPTQ of a float32 weight on its float32 Hessian, entirely on the device. */
  gptq?(weight: Storage, hessian: Storage, spec: GptqSpec): GptqStorages;
}
