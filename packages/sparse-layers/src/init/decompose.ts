import { linalg, type Tensor } from "@shrinkray/tensor-cuda";
import type { Matrix } from "../linalg/matrix.js";
import {
  alloc,
  cast,
  type Precision,
  permuteColumns,
  permuteSymmetric,
  product,
  type Real,
  solvePositiveDefinite,
  subtract,
  tensor,
  unpermuteColumns,
} from "./dense.js";
import { randomizedSvd } from "./randomized-svd.js";

export interface DecomposeOptions {
  groups: number;
  rank: number;
  /** Input order of the grouped part (perm[j] feeds position j); identity when absent. */
  perm?: Int32Array | null;
  /**
   * XᵀX of calibration inputs. With it every step minimises the output error on those inputs,
   * ‖(W − W')·L‖_F with XᵀX = L·Lᵀ, instead of the weight error ‖W − W'‖_F (SVD-LLM's
   * truncation-aware whitening, Wang et al. 2024).
   */
  gram?: Matrix | null;
  /** Ridge on the Gram matrix, as a fraction of its mean diagonal (default 0.01, as GPTQ). */
  damp?: number;
  /** Fit blocks by least squares on the inputs (needs `gram`) rather than copying W's blocks. */
  blocks?: "copy" | "least-squares";
  /**
   * Rounds of alternating refinement after the first fit: refit the blocks to W minus the
   * low-rank part, then the low-rank part to W minus the blocks. Each half-step is an exact
   * minimiser of the same objective, so the error never increases.
   */
  refine?: number;
  /**
   * "exact" (LAPACK's divide-and-conquer SVD through tensor-cuda's linalg), "randomized" (a
   * sketch; approximate), or "auto" (default): exact.
   */
  svd?: "exact" | "randomized" | "auto";
}

/** The factors of W ≈ blockdiag(blocks)·P + B·A, in the original column order and W's precision. */
export interface Decomposition {
  /** [g, out/g, in/g], the GroupedLinear weight layout. */
  blocks: Tensor;
  /** [rank, in] */
  A: Tensor;
  /** [out, rank] */
  B: Tensor;
  /** Singular values of the (whitened) remainder, all of them: the discarded tail prices the rank. */
  singularValues: Tensor;
}

/**
 * Splits a dense weight [out, in] into a block-diagonal part and a rank-r remainder: the blocks
 * are W's diagonal blocks (after permuting columns), the low-rank part the truncated SVD of
 * W − blockdiag(W) — optimal in Frobenius norm (Eckart–Young), or in output error on
 * calibration inputs when `gram` is given. The √σ is split evenly between A and B so that
 * neither factor starts much larger than the other when both are trained afterwards.
 *
 * Works in W's precision (float32 unless W is float64), as a PyTorch user would; the Gram
 * matrix's Cholesky factor is computed in float64 (SVD-LLM does the same), then rounded.
 */
export function decompose(weight: Tensor, opts: DecomposeOptions): Decomposition {
  if (weight.rank !== 2)
    throw new RangeError(`decompose: weight must be 2-D, got [${weight.shape.join(", ")}]`);
  const { groups, rank } = opts;
  const [rows, cols] = weight.shape;
  const dtype: Precision = weight.dtype === "float64" ? "float64" : "float32";
  const shape = { rows, cols, groups, dtype };
  const perm = opts.perm ?? null;
  const damp = opts.damp ?? 0.01;
  const w = weight.cast(dtype).dataSync() as Real;
  const wp = perm ? permuteColumns(w, rows, cols, perm) : w;
  // The ridge goes in once, so that the block and low-rank steps minimise the same objective.
  const gp = opts.gram
    ? withRidge(perm ? permuteSymmetric(opts.gram.data, cols, perm) : opts.gram.data, cols, damp)
    : null;
  if (opts.blocks === "least-squares" && !gp)
    throw new Error('decompose: blocks = "least-squares" needs calibration inputs (gram)');
  const lsBlocks = opts.blocks === "least-squares";
  const chol = gp ? whitening(gp, cols, dtype) : null;
  const method = opts.svd === "randomized" ? "randomized" : "exact";

  let d = lsBlocks ? fitBlocks(wp, shape, gp!) : copyBlocks(wp, shape);
  let lr = lowRank(subtract(wp, d), shape, rank, chol, method);
  for (let i = 0; i < (opts.refine ?? 0); i++) {
    const target = subtract(wp, product(lr.B, lr.A, rows, rank, cols));
    d = gp ? fitBlocks(target, shape, gp) : copyBlocks(target, shape);
    lr = lowRank(subtract(wp, d), shape, rank, chol, method);
  }
  chol?.dispose();
  const A = perm ? unpermuteColumns(lr.A, rank, cols, perm) : lr.A;
  const blocks = packBlocks(d, shape);
  return {
    blocks: tensor(blocks, groups, blocks.length / groups).reshape([groups, rows / groups, cols / groups]),
    A: tensor(A, rank, cols),
    B: tensor(lr.B, rows, rank),
    singularValues: lr.S,
  };
}

interface Shape {
  rows: number;
  cols: number;
  groups: number;
  dtype: Precision;
}

/** L with G = L·Lᵀ, factored in float64 and held in the working precision. */
function whitening(g: Float64Array, n: number, dtype: Precision): Tensor {
  const l = linalg.cholesky(tensor(g, n, n), { name: "the calibration Gram matrix (with its ridge)" });
  if (dtype === "float64") return l;
  const l32 = l.cast("float32");
  l.dispose();
  return l32;
}

/** Truncated SVD of the remainder R (of R·L when whitened), split into B [rows, rank] and A [rank, cols]. */
function lowRank(r: Real, s: Shape, rank: number, chol: Tensor | null, method: "exact" | "randomized") {
  const { rows, cols, dtype } = s;
  const rt = tensor(r, rows, cols);
  const target = chol ? rt.matmul(chol) : rt;
  // The exact SVD keeps every singular value; the randomized one only the leading `rank`.
  const top = method === "exact" ? linalg.svd(target) : randomizedSvd(target, rank);
  const k = Math.min(rank, top.S.shape[0]);
  const sv = top.S.dataSync() as Real;
  const u = top.U.dataSync() as Real;
  const vh = top.Vh.dataSync() as Real;
  const uCols = top.U.shape[1];
  // A = √Σ·Vh (·L⁻¹ when whitened: the factor of R·L maps back through L⁻¹), B = U·√Σ.
  const m = alloc(dtype, rank * cols);
  const B = alloc(dtype, rows * rank);
  for (let j = 0; j < k; j++) {
    const root = Math.sqrt(sv[j]);
    for (let c = 0; c < cols; c++) m[j * cols + c] = root * vh[j * cols + c];
    for (let o = 0; o < rows; o++) B[o * rank + j] = root * u[o * uCols + j];
  }
  let A = m;
  if (chol) {
    const x = linalg.solveTriangular(chol, tensor(m, rank, cols), { upper: false, left: false });
    A = x.dataSync() as Real;
    x.dispose();
  }
  for (const t of new Set([rt, target, top.U, top.Vh])) t.dispose();
  return { A, B, S: top.S };
}

/** The block-diagonal part of w (zeros elsewhere), as a dense matrix. */
function copyBlocks(w: Real, s: Shape): Real {
  const d = alloc(s.dtype, w.length);
  forEachBlock(s, (o, c0, c1) => d.set(w.subarray(o * s.cols + c0, o * s.cols + c1), o * s.cols + c0));
  return d;
}

/**
 * Each block alone fitted by least squares to what the whole target row produces on the data:
 * W_b = T[O_b, :]·G[:, J_b]·G[J_b, J_b]⁻¹, so a block also absorbs the part of other groups'
 * inputs that its own inputs predict (copying the block would drop it). In float64, as the Gram is.
 */
function fitBlocks(t: Real, s: Shape, g: Float64Array): Real {
  const { rows, cols, groups } = s;
  const outPer = rows / groups;
  const inPer = cols / groups;
  const tg = product(cast(t, "float64"), g, rows, cols, cols);
  const d = alloc(s.dtype, rows * cols);
  for (let b = 0; b < groups; b++) {
    const gjj = new Float64Array(inPer * inPer);
    const zt = new Float64Array(inPer * outPer);
    for (let i = 0; i < inPer; i++) {
      for (let j = 0; j < inPer; j++) gjj[i * inPer + j] = g[(b * inPer + i) * cols + b * inPer + j];
      for (let o = 0; o < outPer; o++) zt[i * outPer + o] = tg[(b * outPer + o) * cols + b * inPer + i];
    }
    const wbt = solvePositiveDefinite(gjj, zt, inPer, outPer);
    for (let i = 0; i < inPer; i++)
      for (let o = 0; o < outPer; o++) d[(b * outPer + o) * cols + b * inPer + i] = wbt[i * outPer + o];
  }
  return d;
}

/** g + damp·mean(diag g)·I. */
function withRidge(g: Float64Array, n: number, damp: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += g[i * n + i] / n;
  const out = g.slice();
  for (let i = 0; i < n; i++) out[i * n + i] += damp * mean;
  return out;
}

/** Calls fn(row, c0, c1) for each row's span [c0, c1) inside its block. */
function forEachBlock(s: Shape, fn: (row: number, c0: number, c1: number) => void): void {
  const outPer = s.rows / s.groups;
  const inPer = s.cols / s.groups;
  for (let b = 0; b < s.groups; b++)
    for (let o = b * outPer; o < (b + 1) * outPer; o++) fn(o, b * inPer, (b + 1) * inPer);
}

function packBlocks(d: Real, s: Shape): Real {
  const out = alloc(s.dtype, (s.rows * s.cols) / s.groups);
  let i = 0;
  forEachBlock(s, (o, c0, c1) => {
    out.set(d.subarray(o * s.cols + c0, o * s.cols + c1), i);
    i += c1 - c0;
  });
  return out;
}
