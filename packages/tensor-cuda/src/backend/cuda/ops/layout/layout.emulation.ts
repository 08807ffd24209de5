import type { DeviceMemory } from "../../../../testing/cuda/emulator/device-memory.js";
import {
  type Arr,
  BITS_DTYPE,
  type KernelModel,
  kernelArgs,
  noModel,
  offsetOf,
  SUFFIX_DTYPE,
} from "../../../../testing/cuda/emulator/kernel-model.js";
import { ERROR_OPS } from "../../kernel-abi.js";

/*
 * A JavaScript model of layout.cu for the emulated device (test-only): strided copies, and the
 * index kernels with their device error word.
 */
export const layoutModel: KernelModel = (mem, name, args) => {
  const { num, ptr, ix, arr } = kernelArgs(mem, name, args);
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^copy_strided_(b\d)$/))) {
    const t = BITS_DTYPE[m[1]];
    const v = ix(2);
    const X = arr(0, t) as Float32Array;
    const Y = arr(1, t, v.n) as Float32Array;
    for (let i = 0; i < v.n; i++) Y[i] = X[offsetOf(v, 0, i)];
  } else if ((m = name.match(/^copy_into_(b\d)$/))) {
    const t = BITS_DTYPE[m[1]];
    const v = ix(2);
    const D = arr(0, t) as Float32Array;
    const S = arr(1, t, v.n) as Float32Array;
    for (let i = 0; i < v.n; i++) D[offsetOf(v, 0, i)] = S[i];
  } else if ((m = name.match(/^(gather|index_select|scatter_add|index_add)_(\w+)_(i32|i64)$/))) {
    indexKernel(mem, m[1] as keyof typeof ERROR_OPS, m[2], m[3], arr, num, ptr);
  } else {
    noModel(name);
  }
};

function indexKernel(
  mem: DeviceMemory,
  op: keyof typeof ERROR_OPS,
  valueSuffix: string,
  idxSuffix: string,
  arr: Arr,
  num: (i: number) => number,
  ptr: (i: number) => bigint,
): void {
  const t = valueSuffix.startsWith("b") ? BITS_DTYPE[valueSuffix] : SUFFIX_DTYPE[valueSuffix];
  const [outer, dim, count, inner] = [3, 4, 5, 6].map(num);
  const I = arr(1, idxSuffix === "i32" ? "int32" : "int64");
  const idxLen = op === "gather" || op === "scatter_add" ? outer * count * inner : count;
  const err = mem.array(ptr(7), "int32", 4, `${op} error word`) as Int32Array;
  const resolve = (j: number): number | null => {
    const raw = Number(I[j]);
    if (j >= idxLen) throw new Error(`${op}: index read past its ${idxLen} entries`);
    const k = raw < 0 ? raw + dim : raw;
    if (k >= 0 && k < dim) return k;
    if (err[0] === 0) err.set([1, ERROR_OPS[op], raw, dim]);
    return null;
  };
  const X = arr(op === "gather" || op === "index_select" ? 0 : 2, t) as Float64Array;
  const O = arr(op === "gather" || op === "index_select" ? 2 : 0, t) as Float64Array;
  const zero = O instanceof BigInt64Array ? 0n : 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      for (let i = 0; i < inner; i++) {
        const ij = (o * count + j) * inner + i;
        const k = resolve(op === "gather" || op === "scatter_add" ? ij : j);
        const big = k === null ? -1 : (o * dim + k) * inner + i;
        if (op === "gather" || op === "index_select") O[ij] = k === null ? (zero as never) : X[big];
        else if (k !== null) O[big] += X[ij];
      }
    }
  }
}
