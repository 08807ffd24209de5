/*
 * The contract between the host code and the CUDA C kernels in ./kernels: every kernel's name,
 * the source file that defines it, and its parameter list. The launcher packs arguments from
 * this table, and a test compiles each source with `nvcc --ptx` and checks that every entry
 * point here exists there with parameters of the same sizes, so a mismatch fails in CI without
 * a GPU instead of corrupting memory on one.
 */

/**
 * Parameter kinds. `ptr` is a device pointer (CUdeviceptr, 0 for an absent optional operand);
 * `index3` is the `Index3` struct of kernels/common.cuh (a broadcast/strided view of up to three
 * operands over one output shape).
 */
export type ParamKind = "ptr" | "i32" | "i64" | "f32" | "f64" | "u8" | "u16" | "u32" | "u64" | "index3";

/** Most axes a strided kernel handles; the host merges contiguous axes before it gives up. */
export const MAX_RANK = 8;

/** Bytes of `struct Index3 { long long rank, n; long long shape[8], s0[8], s1[8], s2[8]; long long off0, off1, off2; }`. */
export const INDEX3_BYTES = 8 * (2 + 4 * MAX_RANK + 3);

export const PARAM_BYTES: Record<ParamKind, number> = {
  ptr: 8,
  i32: 4,
  i64: 8,
  f32: 4,
  f64: 8,
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  index3: INDEX3_BYTES,
};

export interface KernelSpec {
  /** Source file under kernels/. */
  file: string;
  params: readonly ParamKind[];
}

/** Numeric element types the arithmetic kernels are instantiated for (suffix → C type). */
export const NUMERIC_SUFFIXES = ["f32", "f64", "i32", "u8"] as const;
export type NumericSuffix = (typeof NUMERIC_SUFFIXES)[number];
/** Float types (softmax, norms, optimizers). */
export const FLOAT_SUFFIXES = ["f32", "f64"] as const;
export type FloatSuffix = (typeof FLOAT_SUFFIXES)[number];
/** Types atomics can add to (scatter-add, index-add). */
export const ATOMIC_SUFFIXES = ["f32", "f64", "i32"] as const;
/** Element sizes for kernels that only move bits (copies, gathers, select, fill). */
export const BYTE_SUFFIXES = ["b1", "b2", "b4", "b8"] as const;
export type ByteSuffix = (typeof BYTE_SUFFIXES)[number];
export const INDEX_SUFFIXES = ["i32", "i64"] as const;
export type IndexSuffix = (typeof INDEX_SUFFIXES)[number];

/**
 * Op codes shared with the kernels' `switch (op)`; kernels/*.cu define the same numbers as
 * `#define UNARY_<NAME> <code>` etc., which the ABI test compares with these tables.
 */
export const UNARY_CODES = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  rsqrt: 4,
  abs: 5,
  tanh: 6,
  sigmoid: 7,
  relu: 8,
  gelu: 9,
  gelu_tanh: 10,
  silu: 11,
  sin: 12,
  cos: 13,
  square: 14,
  reciprocal: 15,
  sign: 16,
  floor: 17,
  round: 18,
  logical_not: 19,
} as const;

export const UNARY_GRAD_CODES = { gelu: 0, gelu_tanh: 1, silu: 2, tanh: 3, sigmoid: 4 } as const;

export const BINARY_CODES = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  pow: 4,
  maximum: 5,
  minimum: 6,
  eq: 7,
  ne: 8,
  lt: 9,
  le: 10,
  gt: 11,
  ge: 12,
} as const;

/** dtype codes of cast_any, in DTYPES order. */
export const DTYPE_CODES = {
  float32: 0,
  float64: 1,
  float16: 2,
  bfloat16: 3,
  int32: 4,
  int64: 5,
  int8: 6,
  uint8: 7,
  bool: 8,
} as const;

/** Layout of the 4-int device error word: [set, op code, offending index, axis size]. */
export const ERROR_OPS = {
  gather: 1,
  index_select: 2,
  scatter_add: 3,
  index_add: 4,
  cross_entropy: 5,
  dequant_gptq: 6,
  gptq_matmul: 7,
} as const;

/** Parameters of gptq.cu's two block kernels. */
const KERNELS_GPTQ_BLOCK: ParamKind[] = [
  ...(Array(9).fill("ptr") as ParamKind[]),
  ...(Array(5).fill("i64") as ParamKind[]),
  "i32",
  "i32",
  "i32",
];

function table(): Record<string, KernelSpec> {
  const k: Record<string, KernelSpec> = {};
  const add = (name: string, file: string, params: ParamKind[]) => {
    if (k[name]) throw new Error(`kernel ${name} declared twice`);
    k[name] = { file, params };
  };
  const n = "i64" as const;

  // elementwise.cu
  for (const t of NUMERIC_SUFFIXES) {
    // (op, x, y, n)
    add(`unary_${t}`, "elementwise.cu", ["i32", "ptr", "ptr", n]);
    // (op, a, b, y, n): same-shape contiguous operands (offsets already applied to the pointers)
    add(`binary_${t}`, "elementwise.cu", ["i32", "ptr", "ptr", "ptr", n]);
    // comparisons write bool (unsigned char)
    add(`compare_${t}`, "elementwise.cu", ["i32", "ptr", "ptr", "ptr", n]);
    // (op, a, b, y, view): s0 = a's strides, s1 = b's, over view.shape
    add(`binary_strided_${t}`, "elementwise.cu", ["i32", "ptr", "ptr", "ptr", "index3"]);
    add(`compare_strided_${t}`, "elementwise.cu", ["i32", "ptr", "ptr", "ptr", "index3"]);
    // (x, y, lo, hi, n)
    add(`clamp_${t}`, "elementwise.cu", ["ptr", "ptr", "f64", "f64", n]);
  }
  for (const t of FLOAT_SUFFIXES) {
    // (op, x, g, y, n)
    add(`unary_grad_${t}`, "elementwise.cu", ["i32", "ptr", "ptr", "ptr", n]);
    // (x, y, exponent, n)
    add(`pow_scalar_${t}`, "elementwise.cu", ["ptr", "ptr", "f64", n]);
    // (p, g, m, v, n, beta1, beta2, eps, decay, stepSize, sqrtBc2): p = p*decay - stepSize*m/(sqrt(v)/sqrtBc2 + eps)
    add(`adamw_${t}`, "elementwise.cu", [
      "ptr",
      "ptr",
      "ptr",
      "ptr",
      n,
      "f64",
      "f64",
      "f64",
      "f64",
      "f64",
      "f64",
    ]);
  }
  // (fromCode, toCode, x, y, n)
  add("cast_any", "elementwise.cu", ["i32", "i32", "ptr", "ptr", n]);
  const bits: Record<ByteSuffix, ParamKind> = { b1: "u8", b2: "u16", b4: "u32", b8: "u64" };
  for (const b of BYTE_SUFFIXES) {
    // (y, value bits, n)
    add(`fill_${b}`, "elementwise.cu", ["ptr", bits[b], n]);
    // (y, row, rows, cols): every row of y [rows, cols] = row [cols]
    add(`fill_rows_${b}`, "elementwise.cu", ["ptr", "ptr", n, n]);
    // (cond as bool, a, b, y, view): s0 = cond's strides, s1 = a's, s2 = b's
    add(`where_${b}`, "elementwise.cu", ["ptr", "ptr", "ptr", "ptr", "index3"]);
  }

  // layout.cu
  for (const b of BYTE_SUFFIXES) {
    // (x, y, view): y (contiguous, view.n elements) = x read through s0/off0
    add(`copy_strided_${b}`, "layout.cu", ["ptr", "ptr", "index3"]);
    // (dst, src, view): dst written through s0/off0 = src (contiguous)
    add(`copy_into_${b}`, "layout.cu", ["ptr", "ptr", "index3"]);
    for (const i of INDEX_SUFFIXES) {
      // (x, index, y, outer, dimX, dimIdx, inner, err)
      add(`gather_${b}_${i}`, "layout.cu", ["ptr", "ptr", "ptr", n, n, n, n, "ptr"]);
      // (x, index, y, outer, dim, count, inner, err)
      add(`index_select_${b}_${i}`, "layout.cu", ["ptr", "ptr", "ptr", n, n, n, n, "ptr"]);
    }
  }
  for (const t of ATOMIC_SUFFIXES) {
    for (const i of INDEX_SUFFIXES) {
      // (out pre-filled with base, index, src, outer, dimX, dimIdx, inner, err)
      add(`scatter_add_${t}_${i}`, "layout.cu", ["ptr", "ptr", "ptr", n, n, n, n, "ptr"]);
      // (out zeroed [outer, dim, inner], index [count], src [outer, count, inner], outer, dim, count, inner, err)
      add(`index_add_${t}_${i}`, "layout.cu", ["ptr", "ptr", "ptr", n, n, n, n, "ptr"]);
    }
  }

  // reduce.cu: [outer, size, inner] → [outer, inner]. `_rows` kernels run one block per output
  // (inner == 1); `_cols` kernels one thread per output.
  for (const t of NUMERIC_SUFFIXES) {
    for (const layout of ["rows", "cols"]) {
      // (x, y, outer, size, inner); sums write f32/f64/i32/i32 for f32/f64/i32/u8
      add(`reduce_sum_${layout}_${t}`, "reduce.cu", ["ptr", "ptr", n, n, n]);
      // (wantMax, x, y, outer, size, inner); y has x's type
      add(`reduce_minmax_${layout}_${t}`, "reduce.cu", ["i32", "ptr", "ptr", n, n, n]);
      // (wantMax, x, y int32, outer, size, inner)
      add(`reduce_arg_${layout}_${t}`, "reduce.cu", ["i32", "ptr", "ptr", n, n, n]);
    }
  }

  // softmax.cu / norms.cu: one block per row.
  for (const t of FLOAT_SUFFIXES) {
    // (x, y, rows, cols, log, causalQueries (0: none), causalOffset)
    add(`softmax_fwd_${t}`, "softmax.cu", ["ptr", "ptr", n, n, "i32", n, n]);
    // (y, g, dx, rows, cols, log, causalQueries, causalOffset)
    add(`softmax_bwd_${t}`, "softmax.cu", ["ptr", "ptr", "ptr", n, n, "i32", n, n]);
    // (x, w|0, b|0, y, mean, rstd, rows, cols, eps)
    add(`layer_norm_fwd_${t}`, "norms.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n, "f64"]);
    // (x, w|0, mean, rstd, g, dx, rows, cols)
    add(`layer_norm_bwd_dx_${t}`, "norms.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n]);
    // (x, w|0, y, rstd, rows, cols, eps)
    add(`rms_norm_fwd_${t}`, "norms.cu", ["ptr", "ptr", "ptr", "ptr", n, n, "f64"]);
    // (x, w|0, rstd, g, dx, rows, cols)
    add(`rms_norm_bwd_dx_${t}`, "norms.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", n, n]);
    // (x, mean|0 (0: RMS norm), rstd, g, dwPartial f64 [chunks, cols], dbPartial f64|0, rows, cols, rowsPerChunk)
    add(`norm_bwd_params_${t}`, "norms.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n, n]);
  }

  // attention.cu: fused scaled-dot-product attention that never materialises the [T, S] scores
  // (online softmax). q [B, H, T, D], k and v [B, Hkv, S, D], all contiguous, H a multiple of Hkv
  // (query head h reads kv head h / (H / Hkv)); with causal, query i sees keys j <= i + causalOffset.
  // One warp per query row (fwd, dq, delta) or per key row (dkdv); block 128, grid-stride over rows.
  const att = ["ptr", "ptr", "ptr"] as const; // q, k, v
  const dims = [n, n, n, n, n, n, "f64", "i32", n] as const; // B, H, Hkv, T, S, D, scale, causal, causalOffset
  for (const t of FLOAT_SUFFIXES) {
    // (q, k, v, out, lse [B, H, T], ...dims)
    add(`attention_fwd_${t}`, "attention.cu", [...att, "ptr", "ptr", ...dims]);
    // (out, dout, delta [rows], rows, D): delta = Σ_d out·dout per row
    add(`attention_bwd_delta_${t}`, "attention.cu", ["ptr", "ptr", "ptr", n, n]);
    // (q, k, v, dout, lse, delta, dq, ...dims)
    add(`attention_bwd_dq_${t}`, "attention.cu", [...att, "ptr", "ptr", "ptr", "ptr", ...dims]);
    // (q, k, v, dout, lse, delta, dk, dv, ...dims): each kv row sums over its group's query heads
    add(`attention_bwd_dkdv_${t}`, "attention.cu", [...att, "ptr", "ptr", "ptr", "ptr", "ptr", ...dims]);

    // cross_entropy.cu: one block per row of logits [rows, V]; targets int32 [rows].
    // (logits, targets, loss [rows], lse [rows], rows, V, ignoreIndex, labelSmoothing, err)
    add(`cross_entropy_fwd_${t}`, "cross_entropy.cu", ["ptr", "ptr", "ptr", "ptr", n, n, n, "f64", "ptr"]);
    // (logits, targets, lse, gloss [rows], dlogits, rows, V, ignoreIndex, labelSmoothing)
    add(`cross_entropy_bwd_${t}`, "cross_entropy.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", n, n, n, "f64"]);

    // rope.cu: rotate-half rotary embedding, element-wise (grid-stride over rows·D).
    // (x [rows, D], cos [T, D], sin [T, D], y, rows, T, D, sinSign): row r is at position r % T;
    // y = x·cos + rotate_half(x)·sin·sinSign (sinSign −1 gives the backward).
    add(`rope_${t}`, "rope.cu", ["ptr", "ptr", "ptr", "ptr", n, n, n, "f64"]);
  }

  // quant.cu: (qweight int32 [in·bits/32, out], qzeros int32 [groups, out·bits/32], scales f32
  // [groups, out], gIdx int32 [in], wt f32 [in, out], inF, outF, groups, bits, err)
  add("dequant_gptq_f32", "quant.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", n, n, n, "i32", "ptr"]);
  // (x f32 [M ≤ 8, in], qweight, qzeros, scales, gIdx, partial f32 [ceil(in/256), M, out], M,
  // inF, outF, groups, bits, err); grid [ceil(out/128), ceil(in/256)], 128 threads
  add("gptq_gemv_f32", "quant.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n, n, n, "i32", "ptr"]);
  // (w [out, in], scale, zero [groups, out], out, inF, groupLen, groups, maxq, sym)
  add("quant_grid_f32", "quant.cu", ["ptr", "ptr", "ptr", n, n, n, n, "i32", "i32"]);
  // (w, scale, zero, y, mask u8, ds|0, out, inF, groupLen, maxq)
  add("fake_quant_f32", "quant.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", n, n, n, "i32"]);
  // (g, ds, gs [groups, out], out, inF, groupLen, groups, gradScale)
  add("fake_quant_scale_grad_f32", "quant.cu", ["ptr", "ptr", "ptr", n, n, n, n, "f64"]);

  // linalg.cu: float64 row-major [n, n]; k is the first row of the diagonal block, nb its size
  // (at most LINALG_NB = 64). (a, n, k, nb, info int32 [1]: 1 + the first non-positive pivot)
  add("chol_diag_f64", "linalg.cu", ["ptr", n, n, n, "ptr"]);
  // (a, n, k, nb): rows ≥ k+nb of the panel solve against the factored diagonal block
  add("chol_panel_f64", "linalg.cu", ["ptr", n, n, n]);
  // (l, x, n, k, nb): x's diagonal block = the inverse of l's
  add("trtri_diag_f64", "linalg.cu", ["ptr", "ptr", n, n, n]);

  // gptq.cu: weight w [rows, cols], Hessian h [cols, cols], both float32; perm int32 [cols] or 0.
  // (h, n, percDamp, damp f32 [1]); one block of 256 threads
  add("gptq_damp_f32", "gptq.cu", ["ptr", n, "f32", "ptr"]);
  // (h, perm, damp, a f64 [n, n] reversed, n)
  add("gptq_hessian_f64", "gptq.cu", ["ptr", "ptr", "ptr", "ptr", n]);
  // (x f64 [n, n] lower, u f32 [n, n] upper, n)
  add("gptq_factor_f32", "gptq.cu", ["ptr", "ptr", n]);
  // (w, h, perm, wt [cols, rows], rows, cols)
  add("gptq_columns_f32", "gptq.cu", ["ptr", "ptr", "ptr", "ptr", n, n]);
  // (wt, scale, zero [groups, rows], rows, cols, groupLen, groups, maxq, sym)
  add("gptq_grid_f32", "gptq.cu", ["ptr", "ptr", "ptr", n, n, n, n, "i32", "i32"]);
  // (wt, u, scale, zero, codesT i32 [cols, rows], deqT [cols, rows], err [b-a, rows], loss f64
  // [rows], perm, rows, cols, a, b, groupLen (0: per row), staticGroups, maxq, sym)
  add("gptq_block_f32", "gptq.cu", KERNELS_GPTQ_BLOCK);
  // The same parameters; blocks of ≤ 256 columns, grid ceil(rows/32) × 256 threads.
  add("gptq_block_tiled_f32", "gptq.cu", KERNELS_GPTQ_BLOCK);
  // (codesT, deqT, perm, codes i32 [rows, cols], deq [rows, cols], rows, cols)
  add("gptq_finish_f32", "gptq.cu", ["ptr", "ptr", "ptr", "ptr", "ptr", n, n]);
  return k;
}

export const KERNELS: Readonly<Record<string, KernelSpec>> = table();

export function kernelSpec(name: string): KernelSpec {
  const spec = KERNELS[name];
  if (!spec) throw new Error(`CUDA kernel ${name} is not in the kernel ABI table`);
  return spec;
}
