import { cholesky, solvePositiveDefinite, solveTransposedLower } from "../linalg/cholesky.js";
import { type Matrix, matmul, sub, transpose, zeros } from "../linalg/matrix.js";
import { randomizedSvd, type SvdResult, svdMatrix, truncate } from "../linalg/svd.js";

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
  /** "exact" (Jacobi), "randomized", or "auto": exact up to 256 on the short side. */
  svd?: "exact" | "randomized" | "auto";
}

/** The factors of W ≈ blockdiag(blocks)·P + B·A, in the original column order. */
export interface Decomposition {
  /** [g, out/g, in/g] row-major, the GroupedLinear weight layout. */
  blocks: Float64Array;
  /** [rank, in] */
  A: Matrix;
  /** [out, rank] */
  B: Matrix;
  /** Singular values of the (whitened) remainder, all of them: the discarded tail prices the rank. */
  singularValues: Float64Array;
}

/**
 * Splits a dense weight [out, in] into a block-diagonal part and a rank-r remainder: the blocks
 * are W's diagonal blocks (after permuting columns), the low-rank part the truncated SVD of
 * W − blockdiag(W) — optimal in Frobenius norm (Eckart–Young), or in output error on
 * calibration inputs when `gram` is given. The √σ is split evenly between A and B so that
 * neither factor starts much larger than the other when both are trained afterwards.
 */
export function decompose(w: Matrix, opts: DecomposeOptions): Decomposition {
  const { groups, rank } = opts;
  const perm = opts.perm ?? null;
  const damp = opts.damp ?? 0.01;
  const wp = perm ? permuteColumns(w, perm) : w;
  // The ridge goes in once, so that the block and low-rank steps minimise the same objective.
  const gp = opts.gram ? withRidge(perm ? permuteSymmetric(opts.gram, perm) : opts.gram, damp) : null;
  if (opts.blocks === "least-squares" && !gp)
    throw new Error('decompose: blocks = "least-squares" needs calibration inputs (gram)');
  const lsBlocks = opts.blocks === "least-squares";
  const chol = gp ? cholesky(gp) : null;

  let d = lsBlocks ? fitBlocks(wp, groups, gp!) : copyBlocks(wp, groups);
  let lr = lowRank(sub(wp, d), rank, chol, opts.svd ?? "auto");
  for (let i = 0; i < (opts.refine ?? 0); i++) {
    const target = sub(wp, matmul(lr.B, lr.A));
    d = gp ? fitBlocks(target, groups, gp) : copyBlocks(target, groups);
    lr = lowRank(sub(wp, d), rank, chol, opts.svd ?? "auto");
  }
  const A = perm ? unpermuteColumns(lr.A, perm) : lr.A;
  return { blocks: packBlocks(d, groups), A, B: lr.B, singularValues: lr.S };
}

function lowRank(r: Matrix, rank: number, chol: Matrix | null, method: "exact" | "randomized" | "auto") {
  const target = chol ? matmul(r, chol) : r;
  const exact = method === "exact" || (method === "auto" && Math.min(target.rows, target.cols) <= 256);
  const full: SvdResult = exact ? svdMatrix(target) : randomizedSvd(target, rank);
  const t = truncate(full, rank);
  const k = t.S.length;
  // A = √Σ·Vᵀ (·L⁻¹ when whitened: the factor of R·L maps back through L⁻¹).
  let vt = transpose(t.V);
  if (chol) vt = transpose(solveTransposedLower(chol, t.V));
  const A = zeros(rank, r.cols);
  const B = zeros(r.rows, rank);
  for (let j = 0; j < k; j++) {
    const s = Math.sqrt(t.S[j]);
    for (let c = 0; c < r.cols; c++) A.data[j * r.cols + c] = s * vt.data[j * r.cols + c];
    for (let o = 0; o < r.rows; o++) B.data[o * rank + j] = s * t.U.data[o * k + j];
  }
  return { A, B, S: full.S };
}

/** The block-diagonal part of w (zeros elsewhere), as a dense matrix. */
function copyBlocks(w: Matrix, groups: number): Matrix {
  const d = zeros(w.rows, w.cols);
  forEachBlock(w, groups, (o, c) => (d.data[o * w.cols + c] = w.data[o * w.cols + c]));
  return d;
}

/**
 * Each block alone fitted by least squares to what the whole target row produces on the data:
 * W_b = T[O_b, :]·G[:, J_b]·G[J_b, J_b]⁻¹, so a block also absorbs the part of other groups'
 * inputs that its own inputs predict (copying the block would drop it).
 */
function fitBlocks(t: Matrix, groups: number, g: Matrix): Matrix {
  const outPer = t.rows / groups;
  const inPer = t.cols / groups;
  const tg = matmul(t, g);
  const d = zeros(t.rows, t.cols);
  for (let b = 0; b < groups; b++) {
    const gjj = zeros(inPer, inPer);
    const zt = zeros(inPer, outPer);
    for (let i = 0; i < inPer; i++) {
      for (let j = 0; j < inPer; j++)
        gjj.data[i * inPer + j] = g.data[(b * inPer + i) * g.cols + b * inPer + j];
      for (let o = 0; o < outPer; o++)
        zt.data[i * outPer + o] = tg.data[(b * outPer + o) * t.cols + b * inPer + i];
    }
    const wbt = solvePositiveDefinite(gjj, zt);
    for (let i = 0; i < inPer; i++) {
      for (let o = 0; o < outPer; o++)
        d.data[(b * outPer + o) * t.cols + b * inPer + i] = wbt.data[i * outPer + o];
    }
  }
  return d;
}

/** g + damp·mean(diag g)·I. */
function withRidge(g: Matrix, damp: number): Matrix {
  const n = g.rows;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += g.data[i * n + i] / n;
  const out = { rows: n, cols: n, data: g.data.slice() };
  for (let i = 0; i < n; i++) out.data[i * n + i] += damp * mean;
  return out;
}

function forEachBlock(w: Matrix, groups: number, fn: (row: number, col: number) => void): void {
  const outPer = w.rows / groups;
  const inPer = w.cols / groups;
  for (let b = 0; b < groups; b++) {
    for (let o = b * outPer; o < (b + 1) * outPer; o++)
      for (let c = b * inPer; c < (b + 1) * inPer; c++) fn(o, c);
  }
}

function packBlocks(d: Matrix, groups: number): Float64Array {
  const outPer = d.rows / groups;
  const inPer = d.cols / groups;
  const out = new Float64Array((d.rows * d.cols) / groups);
  let i = 0;
  for (let b = 0; b < groups; b++) {
    for (let o = 0; o < outPer; o++)
      for (let k = 0; k < inPer; k++) out[i++] = d.data[(b * outPer + o) * d.cols + b * inPer + k];
  }
  return out;
}

/** Columns reordered so that position j holds column perm[j]. */
export function permuteColumns(w: Matrix, perm: Int32Array): Matrix {
  const out = zeros(w.rows, w.cols);
  for (let r = 0; r < w.rows; r++)
    for (let j = 0; j < w.cols; j++) out.data[r * w.cols + j] = w.data[r * w.cols + perm[j]];
  return out;
}

function unpermuteColumns(w: Matrix, perm: Int32Array): Matrix {
  const out = zeros(w.rows, w.cols);
  for (let r = 0; r < w.rows; r++)
    for (let j = 0; j < w.cols; j++) out.data[r * w.cols + perm[j]] = w.data[r * w.cols + j];
  return out;
}

function permuteSymmetric(g: Matrix, perm: Int32Array): Matrix {
  const n = g.rows;
  const out = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out.data[i * n + j] = g.data[perm[i] * n + perm[j]];
  return out;
}
