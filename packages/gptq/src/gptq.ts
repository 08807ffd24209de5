import { matmulRaw, ShapeError, Tensor } from "@shrinkray/tensor-cuda";
import { columnBlock } from "./column-block.js";
import { inverseHessianFactor } from "./inverse-hessian.js";
import { type GridOptions, groupCount, type ResolvedGrid, resolveGrid } from "./options.js";
import { dequantizeCode, gridParams, quantizeCode } from "./quantizer.js";
import type { QuantizedWeight } from "./result.js";
import { checkMatrix, floatData, transpose } from "./util.js";

export interface GptqOptions extends GridOptions {
  /** Quantize columns in order of decreasing Hessian diagonal ("desc_act"); default false. */
  actOrder?: boolean;
  /** Fix every group's grid from the weights before any update (needed to pack act-order models
   * with contiguous groups); default false. */
  staticGroups?: boolean;
  /** Columns per lazy batch update; default 128. */
  blockSize?: number;
  /** Damping added to the diagonal, as a fraction of its mean; default 0.01. */
  percDamp?: number;
}

export interface GptqResult extends QuantizedWeight {
  /** Σ (w − q)² / (2·[H⁻¹]ᵢᵢ), the objective GPTQ minimises (the reference prints it as "error"). */
  loss: number;
  /** Column order quantized in (identity without act-order). */
  perm: Int32Array;
}

const f = Math.fround;

/**
 * GPTQ (Frantar et al., 2022) on one [out, in] weight given its calibration Hessian [in, in]:
 * columns are quantized one at a time and each one's error is spread over the columns not yet
 * quantized through the upper Cholesky factor of H⁻¹; updates beyond the current block are
 * deferred and applied as one GEMM per block. Arithmetic follows the IST-DASLab reference in
 * float32, so the result matches it code for code except where float rounding decides a tie.
 */
export function gptqQuantize(weight: Tensor, hessian: Tensor, options: GptqOptions): GptqResult {
  const where = "gptqQuantize";
  const { grid, actOrder, staticGroups, blockSize, percDamp } = resolveGptqOptions(options, where);
  const { maxq, groupSize: gs, sym } = grid;
  const [rows, cols] = checkGptqInputs(weight, hessian, where);

  // Column-major work copy: GPTQ walks columns, so column c is the contiguous wt[c*rows ...].
  let wt: Float32Array = transpose(floatData(weight), rows, cols);
  let h: Float32Array = floatData(hessian).slice();
  const groups = groupCount(cols, gs);
  const scales = new Float32Array(groups * rows);
  const zeros = new Float32Array(groups * rows);
  // Per-channel grids come from the weight before dead columns are zeroed (as the reference).
  if (gs === -1) gridParams(wt, rows, 0, cols, maxq, sym, scales, zeros);

  // A column no calibration input ever touched carries no information: zero it, and give H a
  // unit pivot there so it stays invertible.
  for (let c = 0; c < cols; c++) {
    if (h[c * cols + c] === 0) {
      h[c * cols + c] = 1;
      wt.fill(0, c * rows, (c + 1) * rows);
    }
  }
  if (staticGroups) {
    for (let g = 0; g < groups; g++) {
      gridParams(wt, rows, g * gs, Math.min((g + 1) * gs, cols), maxq, sym, scales, zeros, g * rows);
    }
  }

  const perm = actOrder
    ? actOrderPermutation(Float32Array.from({ length: cols }, (_, i) => h[i * cols + i]))
    : Int32Array.from({ length: cols }, (_, i) => i);
  if (actOrder) {
    wt = permuteRows(wt, perm, rows);
    h = permuteSymmetric(h, perm, cols);
  }

  let diagSum = 0;
  for (let i = 0; i < cols; i++) diagSum += h[i * cols + i];
  const damp = f(f(percDamp) * f(diagSum / cols));
  for (let i = 0; i < cols; i++) h[i * cols + i] = f(h[i * cols + i] + damp);
  const u = inverseHessianFactor(h, cols);

  const codesT = new Int32Array(cols * rows);
  const deqT = new Float32Array(cols * rows);
  // The block being quantized is worked on in a workspace (WebAssembly memory) and copied back.
  const block = columnBlock(rows, Math.min(blockSize, cols));
  const { err } = block;
  let loss = 0;
  for (let a = 0; a < cols; a += blockSize) {
    const b = Math.min(a + blockSize, cols);
    // Dynamic groups take their grid from the columns as they stand when the block begins,
    // before this block's own error feedback reaches them (the reference reads W, not W1).
    if (gs !== -1 && !staticGroups) {
      for (let c = a; c < b; c++) {
        if (c % gs === 0)
          gridParams(wt, rows, c, Math.min(c + gs, cols), maxq, sym, scales, zeros, (c / gs) * rows);
      }
    }
    const w1 = block.w;
    w1.set(wt.subarray(a * rows, b * rows));
    for (let c = a; c < b; c++) {
      const g = gs === -1 ? 0 : Math.floor((staticGroups ? perm[c] : c) / gs);
      const d = u[c * cols + c];
      const eo = (c - a) * rows;
      loss = quantizeColumn(
        w1,
        eo,
        rows,
        scales,
        zeros,
        g * rows,
        maxq,
        d,
        codesT,
        deqT,
        c * rows,
        err,
        loss,
      );
      block.spread(c - a, u.subarray(c * cols + c + 1, c * cols + b));
    }
    wt.set(w1.subarray(0, (b - a) * rows), a * rows);
    if (b < cols) lazyUpdate(wt, err, u, a, b, rows, cols);
  }

  return finish(grid, rows, cols, codesT, deqT, scales, zeros, perm, actOrder && !staticGroups, loss / 2);
}

export interface ResolvedGptqOptions {
  grid: ResolvedGrid;
  actOrder: boolean;
  /** Only ever true with groups. */
  staticGroups: boolean;
  blockSize: number;
  percDamp: number;
}

/** GptqOptions with defaults filled in, or a RangeError naming the bad field. */
export function resolveGptqOptions(options: GptqOptions, where: string): ResolvedGptqOptions {
  const grid = resolveGrid(options, where);
  const blockSize = options.blockSize ?? 128;
  const percDamp = options.percDamp ?? 0.01;
  if (!(Number.isInteger(blockSize) && blockSize > 0)) {
    throw new RangeError(`${where}: options.blockSize must be a positive integer, got ${blockSize}`);
  }
  if (!(Number.isFinite(percDamp) && percDamp >= 0)) {
    throw new RangeError(`${where}: options.percDamp must be a finite number >= 0, got ${percDamp}`);
  }
  return {
    grid,
    actOrder: options.actOrder ?? false,
    staticGroups: (options.staticGroups ?? false) && grid.groupSize !== -1,
    blockSize,
    percDamp,
  };
}

/** [rows, cols] of the weight, after checking that the Hessian is [cols, cols]. */
export function checkGptqInputs(weight: Tensor, hessian: Tensor, where: string): [number, number] {
  const [rows, cols] = checkMatrix(weight, where, "weight");
  checkMatrix(hessian, where, "hessian");
  if (hessian.shape[0] !== hessian.shape[1]) {
    throw new ShapeError(`${where}: hessian must be square, got [${hessian.shape.join(", ")}]`);
  }
  if (hessian.shape[0] !== cols) {
    throw new ShapeError(
      `${where}: hessian is [${hessian.shape.join(", ")}] but weight has ${cols} input columns`,
    );
  }
  if (rows === 0 || cols === 0) {
    throw new ShapeError(`${where}: weight is empty ([${rows}, ${cols}])`);
  }
  return [rows, cols];
}

/**
 * act-order ("desc_act"): a stable descending sort of the Hessian's diagonal (dead columns
 * already given their unit pivot), so the most-activated columns go first, while the most error
 * can still be absorbed by the rest.
 */
export function actOrderPermutation(diag: Float32Array): Int32Array {
  const perm = Int32Array.from({ length: diag.length }, (_, i) => i);
  return perm.sort((a, b) => diag[b] - diag[a] || a - b);
}

/** Each original column's group: by position in quantization order unless groups are static. */
export function groupIndex(perm: Int32Array, groupSize: number, groupsInPermutedOrder: boolean): Int32Array {
  const gIdx = new Int32Array(perm.length);
  if (groupSize === -1) return gIdx;
  for (let c = 0; c < perm.length; c++) {
    const oc = perm[c];
    gIdx[oc] = Math.floor((groupsInPermutedOrder ? c : oc) / groupSize);
  }
  return gIdx;
}

/**
 * Quantizes one column (w1[at, at + rows)) on its grid: codes and values into codesT/deqT at
 * `out`, the scaled error (w − q)/d into err at `at`; returns `loss` + Σ (w − q)²/d² (summed in
 * the same order as ever). Float32 arithmetic step for step like the reference.
 */
function quantizeColumn(
  w1: Float32Array,
  at: number,
  rows: number,
  scales: Float32Array,
  zeros: Float32Array,
  go: number,
  maxq: number,
  d: number,
  codesT: Int32Array,
  deqT: Float32Array,
  out: number,
  err: Float32Array,
  lossBefore: number,
): number {
  const d2 = f(d * d);
  let loss = lossBefore;
  for (let r = 0; r < rows; r++) {
    const w = w1[at + r];
    const s = scales[go + r];
    const z = zeros[go + r];
    const q = quantizeCode(w, s, z, maxq);
    const v = dequantizeCode(q, s, z);
    codesT[out + r] = q;
    deqT[out + r] = v;
    const diff = f(w - v);
    loss += f(f(diff * diff) / d2);
    err[at + r] = f(diff / d);
  }
  return loss;
}

/**
 * wt[b:] −= (Err · U[a:b, b:])ᵀ: the block's deferred effect on later columns, as one GEMM. It is
 * laid out as the reference multiplies ([rows, count] · [count, rest]) because OpenBLAS then
 * rounds exactly as it does for the reference, which keeps later groups' grids bit-identical.
 */
function lazyUpdate(
  wt: Float32Array,
  err: Float32Array,
  u: Float32Array,
  a: number,
  b: number,
  rows: number,
  cols: number,
) {
  const count = b - a;
  const rest = cols - b;
  const ub = new Float32Array(count * rest);
  for (let i = 0; i < count; i++) ub.set(u.subarray((a + i) * cols + b, (a + i + 1) * cols), i * rest);
  // A copy: the errors live in the column workspace, whose memory the GEMM should not hold.
  const e = Tensor.from(err.slice(0, count * rows), [count, rows]);
  const prod = matmulRaw(e, Tensor.from(ub, [count, rest]), true, false, "gptq block update");
  const p = prod.dataSync() as Float32Array;
  prod.dispose();
  e.dispose();
  // wt[b + j][r] −= p[r][j], in tiles so both sides stay in cache.
  const T = 64;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(r0 + T, rows);
    for (let j0 = 0; j0 < rest; j0 += T) {
      const j1 = Math.min(j0 + T, rest);
      for (let j = j0; j < j1; j++) {
        const o = (b + j) * rows;
        for (let r = r0; r < r1; r++) wt[o + r] -= p[r * rest + j];
      }
    }
  }
}

function permuteRows(m: Float32Array, perm: Int32Array, width: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let i = 0; i < perm.length; i++)
    out.set(m.subarray(perm[i] * width, (perm[i] + 1) * width), i * width);
  return out;
}

function permuteSymmetric(h: Float32Array, perm: Int32Array, n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const src = perm[i] * n;
    for (let j = 0; j < n; j++) out[i * n + j] = h[src + perm[j]];
  }
  return out;
}

/** Back to [out, in] in the original column order, with each column's group. */
function finish(
  grid: { bits: QuantizedWeight["bits"]; groupSize: number; sym: boolean },
  rows: number,
  cols: number,
  codesT: Int32Array,
  deqT: Float32Array,
  scales: Float32Array,
  zeros: Float32Array,
  perm: Int32Array,
  groupsInPermutedOrder: boolean,
  loss: number,
): GptqResult {
  const codes = new Int32Array(rows * cols);
  const deq = new Float32Array(rows * cols);
  // In tiles of 64 × 64, so the strided side of the transpose stays in cache.
  for (let c0 = 0; c0 < cols; c0 += 64) {
    for (let r0 = 0; r0 < rows; r0 += 64) {
      for (let c = c0; c < Math.min(c0 + 64, cols); c++) {
        const oc = perm[c];
        const base = c * rows;
        for (let r = r0; r < Math.min(r0 + 64, rows); r++) {
          codes[r * cols + oc] = codesT[base + r];
          deq[r * cols + oc] = deqT[base + r];
        }
      }
    }
  }
  const gIdx = groupIndex(perm, grid.groupSize, groupsInPermutedOrder);
  const groups = scales.length / rows;
  return {
    dequantized: Tensor.from(deq, [rows, cols]),
    codes: Tensor.from(codes, [rows, cols]),
    scale: Tensor.from(scales, [groups, rows]),
    zero: Tensor.from(zeros, [groups, rows]),
    gIdx: Tensor.from(gIdx, [cols]),
    bits: grid.bits,
    groupSize: grid.groupSize,
    sym: grid.sym,
    loss,
    perm,
  };
}
