import type { DeviceMemory } from "../../../../testing/cuda/emulator/device-memory.js";
import { type KernelModel, noModel } from "../../../../testing/cuda/emulator/kernel-model.js";
import { roundHalfEven } from "../../../cpu/math.js";
import { ERROR_OPS } from "../../kernel-abi.js";
import type { KernelArg } from "../../params.js";

/*
 * A JavaScript model of quant.cu (and quant_grid.cuh) for the emulated device (test-only), from
 * the contracts in quant.abi.ts: plain loops, Math.fround where the kernels round to float32.
 */

export const quantModel: KernelModel = (mem, name, a) => {
  if (name === "dequant_gptq_f32") dequantGptq(mem, a);
  else if (name === "gptq_gemv_f32") gptqGemv(mem, a);
  else if (name === "quant_grid_f32" || name === "fake_quant_f32" || name === "fake_quant_scale_grad_f32")
    fakeQuant(mem, name, a);
  else noModel(name);
};

const f32 = Math.fround;

/** Scale and zero point of a range [lo, hi] that contains 0 (quant_grid.cuh's minmax_grid). */
export function minmaxGrid(lo: number, hi: number, maxq: number, sym: boolean): [number, number] {
  let a = lo;
  let b = hi;
  if (sym) {
    b = Math.max(-a, b);
    if (a < 0) a = -b;
  }
  if (a === 0 && b === 0) {
    a = -1;
    b = 1;
  }
  const s = f32(f32(b - a) / maxq);
  return [s, sym ? (maxq + 1) / 2 : roundHalfEven(f32(-a / s)) + 0];
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
