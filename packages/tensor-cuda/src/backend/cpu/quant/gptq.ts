import { dequantizeCode, gridParams, quantizeCode } from "../../../quantized/grid-math.js";
import type { GptqSpec, GptqStorages, Storage } from "../../backend.js";
import { gemm } from "../gemm.js";
import { cpuLinalg } from "../linalg/index.js";
import { CpuStorage, cpu } from "../storage.js";
import { columnBlock } from "../wasm/column-block.js";

/*
 * GPTQ (Frantar et al., 2022) on the CPU: the column solve behind quant.gptqSolve, with the
 * contract the CUDA kernels keep (backend.ts's GptqSpec / GptqStorages). Columns are quantized one
 * at a time and each one's error spread over the columns not yet quantized through the upper
 * Cholesky factor of H⁻¹; updates beyond the current block are deferred and applied as one GEMM
 * per block. Arithmetic follows the IST-DASLab reference in float32 step for step, so the codes
 * match it except where float rounding decides a tie (the shared fixtures reproduce exactly).
 */

const f = Math.fround;

function float32(s: Storage, what: string): Float32Array {
  const d = cpu(s).data;
  if (!(d instanceof Float32Array)) throw new TypeError(`gptq: ${what} must be float32, got ${s.dtype}`);
  return d;
}

export function gptq(weight: Storage, hessian: Storage, spec: GptqSpec): GptqStorages {
  const { rows, cols, maxq, sym, groupSize: gs, staticGroups, blockSize, percDamp } = spec;
  const perm = spec.perm ?? Int32Array.from({ length: cols }, (_, i) => i);
  // Column-major work copy: GPTQ walks columns, so column c is the contiguous wt[c*rows ...].
  let wt: Float32Array = transpose(float32(weight, "the weight"), rows, cols);
  let h: Float32Array = float32(hessian, "the Hessian").slice();
  const groups = gs === -1 ? 1 : Math.ceil(cols / gs);
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
  if (spec.perm) {
    wt = permuteRows(wt, perm, rows);
    h = permuteSymmetric(h, perm, cols);
  }

  let diagSum = 0;
  for (let i = 0; i < cols; i++) diagSum += h[i * cols + i];
  const damp = f(f(percDamp) * f(diagSum / cols));
  for (let i = 0; i < cols; i++) h[i * cols + i] = f(h[i * cols + i] + damp);
  // U in float32, as the reference factors it (spotrf + strtri where there is OpenBLAS).
  const { factor, info } = cpuLinalg.choleskyOfInverse(new CpuStorage("float32", h), cols);
  const loss = new Float64Array(rows);
  if (info !== 0) {
    factor.dispose();
    return failed(rows, cols, groups, info, loss);
  }
  const u = cpu(factor).data as Float32Array;

  const codesT = new Int32Array(cols * rows);
  const deqT = new Float32Array(cols * rows);
  // The block being quantized is worked on in a workspace (WebAssembly memory) and copied back.
  const block = columnBlock(rows, Math.min(blockSize, cols));
  const { err } = block;
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
      quantizeColumn(w1, eo, rows, scales, zeros, g * rows, maxq, d, codesT, deqT, c * rows, err, loss);
      block.spread(c - a, u.subarray(c * cols + c + 1, c * cols + b));
    }
    wt.set(w1.subarray(0, (b - a) * rows), a * rows);
    if (b < cols) lazyUpdate(wt, err, u, a, b, rows, cols);
  }
  factor.dispose();

  // Back to [rows, cols] in the original column order, in tiles so the strided side stays in cache.
  const codes = new Int32Array(rows * cols);
  const deq = new Float32Array(rows * cols);
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
  return {
    codes: new CpuStorage("int32", codes),
    dequantized: new CpuStorage("float32", deq),
    scale: new CpuStorage("float32", scales),
    zero: new CpuStorage("float32", zeros),
    loss: new CpuStorage("float64", loss),
    info: new CpuStorage("int32", Int32Array.of(0)),
  };
}

/** A factorisation that failed: `info` says where; the rest is empty of meaning. */
function failed(rows: number, cols: number, groups: number, info: number, loss: Float64Array): GptqStorages {
  return {
    codes: new CpuStorage("int32", new Int32Array(rows * cols)),
    dequantized: new CpuStorage("float32", new Float32Array(rows * cols)),
    scale: new CpuStorage("float32", new Float32Array(groups * rows)),
    zero: new CpuStorage("float32", new Float32Array(groups * rows)),
    loss: new CpuStorage("float64", loss),
    info: new CpuStorage("int32", Int32Array.of(info)),
  };
}

/**
 * Quantizes one column (w1[at, at + rows)) on its grid: codes and values into codesT/deqT at
 * `out`, the scaled error (w − q)/d into err at `at`, and (w − q)²/d² into each row's loss.
 * Float32 arithmetic step for step like the reference.
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
  loss: Float64Array,
): void {
  const d2 = f(d * d);
  for (let r = 0; r < rows; r++) {
    const w = w1[at + r];
    const s = scales[go + r];
    const z = zeros[go + r];
    const q = quantizeCode(w, s, z, maxq);
    const v = dequantizeCode(q, s, z);
    codesT[out + r] = q;
    deqT[out + r] = v;
    const diff = f(w - v);
    loss[r] += f(f(diff * diff) / d2);
    err[at + r] = f(diff / d);
  }
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
): void {
  const count = b - a;
  const rest = cols - b;
  const ub = new Float32Array(count * rest);
  for (let i = 0; i < count; i++) ub.set(u.subarray((a + i) * cols + b, (a + i + 1) * cols), i * rest);
  // A copy: the errors live in the column workspace, whose memory the GEMM should not hold.
  const e = err.slice(0, count * rows);
  const p = gemm(
    e,
    ub,
    { batch: 1, m: rows, k: count, n: rest, transA: true, transB: false, aBatched: false, bBatched: false },
    null,
  ) as Float32Array;
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

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const T = 64;
  for (let r0 = 0; r0 < rows; r0 += T)
    for (let c0 = 0; c0 < cols; c0 += T)
      for (let r = r0; r < Math.min(r0 + T, rows); r++)
        for (let c = c0; c < Math.min(c0 + T, cols); c++) out[c * rows + r] = m[r * cols + c];
  return out;
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
