import type { Storage } from "../../../backend/backend.js";
import { CpuStorage } from "../../../backend/cpu/storage.js";
import type { Index3 } from "../../../backend/cuda/index3.js";
import type { KernelArg } from "../../../backend/cuda/params.js";
import type { DType, TypedArray } from "../../../dtype.js";
import type { DeviceMemory } from "./device-memory.js";

/*
 * What a JavaScript model of a kernel source is (each op family's `<family>.emulation.ts`), and
 * the helpers the models share for reading their arguments out of emulated device memory.
 */

/** Runs kernel `name` of one source on emulated memory, as the launch with `args` and `grid` would. */
export type KernelModel = (
  mem: DeviceMemory,
  name: string,
  args: readonly KernelArg[],
  grid: readonly number[],
) => void;

/** The error a model raises for a kernel of its source it does not model. */
export function noModel(name: string): never {
  throw new Error(`the emulator has no model of kernel ${name}`);
}

export const SUFFIX_DTYPE: Record<string, DType> = {
  f32: "float32",
  f64: "float64",
  i32: "int32",
  u8: "uint8",
  i64: "int64",
  b1: "uint8",
  b2: "float16",
  b4: "float32",
  b8: "float64",
};
/** Bit-moving kernels copy raw element bits: integer views keep NaN payloads intact. */
export const BITS_DTYPE: Record<string, DType> = { b1: "uint8", b2: "float16", b4: "int32", b8: "int64" };

/** An op-code table read backwards: code → name. */
export function invert(table: Record<string, number>): Record<number, string> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k]));
}

/** Row-major walk of an Index3: the element offset of operand k for output element i. */
export function offsetOf(ix: Index3, k: number, i: number): number {
  let off = ix.offsets[k];
  let rem = i;
  for (let d = ix.rank - 1; d >= 0; d--) {
    off += (rem % ix.shape[d]) * ix.strides[k][d];
    rem = Math.floor(rem / ix.shape[d]);
  }
  return off;
}

export function contiguousView(n: number) {
  return { shape: [n], strides: [1], offset: 0 };
}

export function ixView(ix: Index3, k: number) {
  return { shape: ix.shape, strides: ix.strides[k], offset: ix.offsets[k] };
}

export type Arr = (i: number, dtype: DType, n?: number) => TypedArray;

/**
 * Readers of a launch's arguments: `num(i)` and `ptr(i)` the scalar and pointer parameters,
 * `ix(i)` an Index3, `arr(i, dtype, n)` the device array parameter i points at, `store(i, dtype,
 * s)` writes a CPU storage there, and `cpu(dtype, data)` wraps device data for the CPU backend.
 */
export function kernelArgs(mem: DeviceMemory, name: string, args: readonly KernelArg[]) {
  const a = args as (number | bigint | Index3)[];
  const num = (i: number) => Number(a[i]);
  const ptr = (i: number) => a[i] as bigint;
  const ix = (i: number) => a[i] as Index3;
  const arr: Arr = (i, dtype, n) => mem.array(ptr(i), dtype, n, `${name} parameter ${i}`);
  const store = (i: number, dtype: DType, src: Storage) => {
    const data = (src as CpuStorage).data as TypedArray & { length: number };
    (arr(i, dtype, data.length) as Float32Array).set(data as Float32Array);
  };
  const cpu = (dtype: DType, data: TypedArray) => new CpuStorage(dtype, data);
  return { a, num, ptr, ix, arr, store, cpu };
}

export type KernelArgs = ReturnType<typeof kernelArgs>;
