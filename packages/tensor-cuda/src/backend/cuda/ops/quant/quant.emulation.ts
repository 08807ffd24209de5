import type { DType, TypedArray } from "../../../dtype.js";
import { roundHalfEven } from "../../cpu/math.js";
import { ERROR_OPS } from "../kernel-abi.js";
import type { KernelArg } from "../params.js";
import type { DeviceMemory } from "./device-memory.js";
import { minmaxGrid, runGptqKernel } from "./gptq-kernels.js";

/*
 * JavaScript models of the fused kernels (attention.cu, cross_entropy.cu, rope.cu), written
 * straight from the formulas in kernel-abi.ts in float64 — deliberately naive (the full score row
 * is formed), so they are easy to check by eye.
 */

type Arr = Float32Array | Float64Array;

export function runFusedKernel(mem: DeviceMemory, name: string, a: readonly KernelArg[]): boolean {
  if (runGptqKernel(mem, name, a)) return true;
  if (name === "dequant_gptq_f32") {
    dequantGptq(mem, a);
    return true;
  }
  if (name === "gptq_gemv_f32") {
    gptqGemv(mem, a);
    return true;
  }
  if (name === "quant_grid_f32" || name === "fake_quant_f32" || name === "fake_quant_scale_grad_f32") {
    fakeQuant(mem, name, a);
    return true;
  }
  const m = name.match(
    /^(attention_fwd|attention_bwd_delta|attention_bwd_dq|attention_bwd_dkdv|cross_entropy_fwd|cross_entropy_bwd|rope)_(f32|f64)$/,
  );
  if (!m) return false;
  const t: DType = m[2] === "f32" ? "float32" : "float64";
  const num = (i: number) => Number(a[i]);
  const arr = (i: number, n?: number) => mem.array(a[i] as bigint, t, n, `${name} parameter ${i}`) as Arr;
  const ints = (i: number, n: number) =>
    mem.array(a[i] as bigint, "int32", n, `${name} parameter ${i}`) as TypedArray as Int32Array;
  switch (m[1]) {
    case "attention_bwd_delta": {
      const [rows, D] = [3, 4].map(num);
      const [O, G, Dl] = [arr(0, rows * D), arr(1, rows * D), arr(2, rows)];
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += O[r * D + d] * G[r * D + d];
        Dl[r] = s;
      }
      return true;
    }
    case "attention_fwd":
    case "attention_bwd_dq":
    case "attention_bwd_dkdv":
      attention(m[1], num, arr);
      return true;
    case "cross_entropy_fwd":
    case "cross_entropy_bwd":
      crossEntropy(mem, m[1] === "cross_entropy_fwd", a, num, arr, ints);
      return true;
    default: {
      const [rows, T, D, sign] = [4, 5, 6, 7].map(num);
      const [X, C, S, Y] = [arr(0, rows * D), arr(1, T * D), arr(2, T * D), arr(3, rows * D)];
      const half = D / 2;
      for (let r = 0; r < rows; r++) {
        const p = r % T;
        for (let d = 0; d < D; d++) {
          const rot = d < half ? -X[r * D + d + half] : X[r * D + d - half];
          Y[r * D + d] = X[r * D + d] * C[p * D + d] + rot * S[p * D + d] * sign;
        }
      }
      return true;
    }
  }
}

function attention(
  kind: string,

  num: (i: number) => number,
  arr: (i: number, n?: number) => Arr,
): void {
  const base = kind === "attention_fwd" ? 5 : kind === "attention_bwd_dq" ? 7 : 8;
  const [B, H, Hkv, T, S, D, scale, causal, off] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => num(base + i));
  const [Q, K, V] = [arr(0, B * H * T * D), arr(1, B * Hkv * S * D), arr(2, B * Hkv * S * D)];
  const G = H / Hkv;
  const visible = (i: number, j: number) => !causal || j <= i + off;
  const dot = (X: Arr, xo: number, Y: Arr, yo: number) => {
    let s = 0;
    for (let d = 0; d < D; d++) s += X[xo + d] * Y[yo + d];
    return s;
  };
  const qo = (b: number, h: number, i: number) => ((b * H + h) * T + i) * D;
  const ko = (b: number, h: number, j: number) => ((b * Hkv + Math.floor(h / G)) * S + j) * D;
  const row = (b: number, h: number, i: number) => (b * H + h) * T + i;
  if (kind === "attention_fwd") {
    const [O, L] = [arr(3, B * H * T * D), arr(4, B * H * T)];
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++) {
          const s: number[] = [];
          for (let j = 0; j < S; j++) if (visible(i, j)) s[j] = scale * dot(Q, qo(b, h, i), K, ko(b, h, j));
          const vis = s.map((_, j) => j).filter((j) => s[j] !== undefined);
          const o = qo(b, h, i);
          if (vis.length === 0) {
            for (let d = 0; d < D; d++) O[o + d] = 0;
            L[row(b, h, i)] = Number.NEGATIVE_INFINITY;
            continue;
          }
          const mx = Math.max(...vis.map((j) => s[j]));
          const l = vis.reduce((acc, j) => acc + Math.exp(s[j] - mx), 0);
          for (let d = 0; d < D; d++) {
            let acc = 0;
            for (const j of vis) acc += Math.exp(s[j] - mx) * V[ko(b, h, j) + d];
            O[o + d] = acc / l;
          }
          L[row(b, h, i)] = mx + Math.log(l);
        }
    return;
  }
  const [dO, L, Dl] = [arr(3, B * H * T * D), arr(4, B * H * T), arr(5, B * H * T)];
  const grad = (b: number, h: number, i: number, j: number) => {
    const p = Math.exp(scale * dot(Q, qo(b, h, i), K, ko(b, h, j)) - L[row(b, h, i)]);
    const ds = p * (dot(dO, qo(b, h, i), V, ko(b, h, j)) - Dl[row(b, h, i)]);
    return { p, ds };
  };
  if (kind === "attention_bwd_dq") {
    const dQ = arr(6, B * H * T * D);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++) {
          const acc = new Float64Array(D);
          if (L[row(b, h, i)] !== Number.NEGATIVE_INFINITY) {
            for (let j = 0; j < S; j++) {
              if (!visible(i, j)) continue;
              const { ds } = grad(b, h, i, j);
              for (let d = 0; d < D; d++) acc[d] += scale * ds * K[ko(b, h, j) + d];
            }
          }
          dQ.set(acc, qo(b, h, i));
        }
    return;
  }
  const [dK, dV] = [arr(6, B * Hkv * S * D), arr(7, B * Hkv * S * D)];
  dK.fill(0, 0, B * Hkv * S * D);
  dV.fill(0, 0, B * Hkv * S * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < T; i++) {
        if (L[row(b, h, i)] === Number.NEGATIVE_INFINITY) continue;
        for (let j = 0; j < S; j++) {
          if (!visible(i, j)) continue;
          const { p, ds } = grad(b, h, i, j);
          const k = ko(b, h, j);
          for (let d = 0; d < D; d++) {
            dV[k + d] += p * dO[qo(b, h, i) + d];
            dK[k + d] += scale * ds * Q[qo(b, h, i) + d];
          }
        }
      }
}

function crossEntropy(
  mem: DeviceMemory,
  forward: boolean,
  a: readonly KernelArg[],
  num: (i: number) => number,
  arr: (i: number, n?: number) => Arr,
  ints: (i: number, n: number) => Int32Array,
): void {
  const [rows, V, ignore, eps] = (forward ? [4, 5, 6, 7] : [5, 6, 7, 8]).map(num);
  const X = arr(0, rows * V);
  const tgt = ints(1, rows);
  if (forward) {
    const [loss, lse] = [arr(2, rows), arr(3, rows)];
    const err = mem.array(a[8] as bigint, "int32", 4, "cross_entropy error word") as Int32Array;
    for (let r = 0; r < rows; r++) {
      let mx = Number.NEGATIVE_INFINITY;
      let sum = 0;
      for (let j = 0; j < V; j++) if (X[r * V + j] > mx) mx = X[r * V + j];
      if (mx === Number.NEGATIVE_INFINITY) mx = 0;
      let s = 0;
      for (let j = 0; j < V; j++) {
        s += Math.exp(X[r * V + j] - mx);
        sum += X[r * V + j];
      }
      const l = mx + Math.log(s);
      lse[r] = l;
      const t = tgt[r];
      if (t === ignore) loss[r] = 0;
      else if (t < 0 || t >= V) {
        if (err[0] === 0) err.set([1, ERROR_OPS.cross_entropy, t, V]);
        loss[r] = 0;
      } else loss[r] = (1 - eps) * (l - X[r * V + t]) + eps * (l - sum / V);
    }
    return;
  }
  const [lse, g, dX] = [arr(2, rows), arr(3, rows), arr(4, rows * V)];
  for (let r = 0; r < rows; r++) {
    const t = tgt[r];
    const valid = t !== ignore && t >= 0 && t < V;
    for (let j = 0; j < V; j++) {
      dX[r * V + j] = valid
        ? g[r] * (Math.exp(X[r * V + j] - lse[r]) - (1 - eps) * (j === t ? 1 : 0) - eps / V)
        : 0;
    }
  }
}

/** Bits [bit, bit + bits) of a little-endian stream of 32-bit words, word w at words[base + w·stride]. */
function code(words: Int32Array, base: number, stride: number, bit: number, bits: number): number {
  let v = 0;
  for (let b = 0; b < bits; b++) {
    const at = bit + b;
    const word = words[base + Math.floor(at / 32) * stride] >>> 0;
    v |= ((word >>> (at % 32)) & 1) << b;
  }
  return v;
}

function dequantGptq(mem: DeviceMemory, a: readonly KernelArg[]): void {
  const [inF, outF, groups, bits] = [5, 6, 7, 8].map((i) => Number(a[i]));
  const ints = (i: number, n: number) =>
    mem.array(a[i] as bigint, "int32", n, `dequant_gptq parameter ${i}`) as Int32Array;
  const qweight = ints(0, (inF * bits * outF) / 32);
  const qzeros = ints(1, (groups * outF * bits) / 32);
  const scales = mem.array(a[2] as bigint, "float32", groups * outF) as Float32Array;
  const gIdx = ints(3, inF);
  const wt = mem.array(a[4] as bigint, "float32", inF * outF) as Float32Array;
  const err = ints(9, 4);
  const zeroWords = (outF * bits) / 32;
  for (let i = 0; i < inF; i++) {
    const g = gIdx[i];
    for (let o = 0; o < outF; o++) {
      if (g < 0 || g >= groups) {
        if (err[0] === 0) err.set([1, ERROR_OPS.dequant_gptq, g, groups]);
        wt[i * outF + o] = 0;
        continue;
      }
      const c = code(qweight, o, outF, i * bits, bits);
      const z = code(qzeros, g * zeroWords, 1, o * bits, bits);
      wt[i * outF + o] = scales[g * outF + o] * (c - z);
    }
  }
}

/** Partial sums per chunk of 256 inputs of x·Wᵀ, W unpacked as dequantGptq does. */
function gptqGemv(mem: DeviceMemory, a: readonly KernelArg[]): void {
  const [M, inF, outF, groups, bits] = [6, 7, 8, 9, 10].map((i) => Number(a[i]));
  const ints = (i: number, n: number) =>
    mem.array(a[i] as bigint, "int32", n, `gptq_gemv parameter ${i}`) as Int32Array;
  const x = mem.array(a[0] as bigint, "float32", M * inF) as Float32Array;
  const qweight = ints(1, (inF * bits * outF) / 32);
  const qzeros = ints(2, (groups * outF * bits) / 32);
  const scales = mem.array(a[3] as bigint, "float32", groups * outF) as Float32Array;
  const gIdx = ints(4, inF);
  const chunks = Math.ceil(inF / 256);
  const partial = mem.array(a[5] as bigint, "float32", chunks * M * outF) as Float32Array;
  const err = ints(11, 4);
  const zeroWords = (outF * bits) / 32;
  partial.fill(0);
  for (let i = 0; i < inF; i++) {
    const g = gIdx[i];
    if (g < 0 || g >= groups) {
      if (err[0] === 0) err.set([1, ERROR_OPS.gptq_matmul, g, groups]);
      continue;
    }
    const chunk = Math.floor(i / 256);
    for (let o = 0; o < outF; o++) {
      const w = Math.fround(
        scales[g * outF + o] *
          (code(qweight, o, outF, i * bits, bits) - code(qzeros, g * zeroWords, 1, o * bits, bits)),
      );
      for (let m = 0; m < M; m++) partial[(chunk * M + m) * outF + o] += x[m * inF + i] * w;
    }
  }
}

const f32 = Math.fround;

function fakeQuant(mem: DeviceMemory, name: string, a: readonly KernelArg[]): void {
  const num = (i: number) => Number(a[i]);
  const f = (i: number, n: number) =>
    mem.array(a[i] as bigint, "float32", n, `${name} parameter ${i}`) as Float32Array;
  if (name === "quant_grid_f32") {
    const [out, inF, groupLen, groups, maxq, sym] = [3, 4, 5, 6, 7, 8].map(num);
    const [W, S, Z] = [f(0, out * inF), f(1, groups * out), f(2, groups * out)];
    for (let g = 0; g < groups; g++) {
      for (let o = 0; o < out; o++) {
        let lo = 0;
        let hi = 0;
        for (let i = g * groupLen; i < Math.min((g + 1) * groupLen, inF); i++) {
          lo = Math.min(lo, W[o * inF + i]);
          hi = Math.max(hi, W[o * inF + i]);
        }
        [S[g * out + o], Z[g * out + o]] = minmaxGrid(lo, hi, maxq, !!sym);
      }
    }
    return;
  }
  if (name === "fake_quant_f32") {
    const [out, inF, groupLen, maxq] = [6, 7, 8, 9].map(num);
    const n = out * inF;
    const groups = Math.ceil(inF / groupLen);
    const [W, S, Z, Y] = [f(0, n), f(1, groups * out), f(2, groups * out), f(3, n)];
    const M = mem.array(a[4] as bigint, "uint8", n) as Uint8Array;
    const D = (a[5] as bigint) === 0n ? null : f(5, n);
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < inF; i++) {
        const k = o * inF + i;
        const gi = Math.floor(i / groupLen) * out + o;
        const s = Math.max(S[gi], 1e-12);
        const z = Z[gi];
        const u = f32(W[k] / s);
        const inside = u + z >= 0 && u + z <= maxq;
        const q = Math.min(Math.max(roundHalfEven(u) + z, 0), maxq);
        Y[k] = s * (q - z);
        M[k] = inside ? 1 : 0;
        if (D) D[k] = inside ? q - z - u : q - z;
      }
    }
    return;
  }
  const [out, inF, groupLen, groups, gradScale] = [3, 4, 5, 6, 7].map(num);
  const [G, D, GS] = [f(0, out * inF), f(1, out * inF), f(2, groups * out)];
  for (let g = 0; g < groups; g++) {
    for (let o = 0; o < out; o++) {
      let acc = 0;
      for (let i = g * groupLen; i < Math.min((g + 1) * groupLen, inF); i++)
        acc += G[o * inF + i] * D[o * inF + i];
      GS[g * out + o] = acc * gradScale;
    }
  }
}
