import { attentionAbi } from "./ops/attention/attention.abi.js";
import { crossEntropyAbi } from "./ops/cross-entropy/cross-entropy.abi.js";
import { elementwiseAbi } from "./ops/elementwise/elementwise.abi.js";
import { gptqAbi } from "./ops/gptq/gptq.abi.js";
import { layoutAbi } from "./ops/layout/layout.abi.js";
import { linalgAbi } from "./ops/linalg/linalg.abi.js";
import { normsAbi } from "./ops/norms/norms.abi.js";
import { quantAbi } from "./ops/quant/quant.abi.js";
import { reduceAbi } from "./ops/reduce/reduce.abi.js";
import { ropeAbi } from "./ops/rope/rope.abi.js";
import { softmaxAbi } from "./ops/softmax/softmax.abi.js";

/*
 * The contract between the host code and the CUDA C kernels in ops/<family>/*.cu: every kernel's
 * name, the source file that defines it, and its parameter list. Each family declares its own
 * rows beside its kernel (ops/<family>/<family>.abi.ts); this file assembles them into one table.
 * The launcher packs arguments from it, and a test compiles each source with `nvcc --ptx` and
 * checks that every entry point here exists there with parameters of the same sizes, so a
 * mismatch fails in CI without a GPU instead of corrupting memory on one.
 */

/**
 * Parameter kinds. `ptr` is a device pointer (CUdeviceptr, 0 for an absent optional operand);
 * `index3` is the `Index3` struct of ops/common.cuh (a broadcast/strided view of up to three
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
  /** Source file, by its base name (unique across ops/; see kernel-sources.ts). */
  file: string;
  params: readonly ParamKind[];
}

/** One kernel source's rows of the table: its file, and the kernels it defines with their parameters. */
export interface KernelFamily {
  file: string;
  kernels(add: (name: string, params: readonly ParamKind[]) => void): void;
}

/**
 * Layout of the 4-int device error word: [set, op code, offending index, axis size]. The codes
 * are common.cuh's `ERR_*`, shared by every family that checks indices.
 */
export const ERROR_OPS = {
  gather: 1,
  index_select: 2,
  scatter_add: 3,
  index_add: 4,
  cross_entropy: 5,
  dequant_gptq: 6,
  gptq_matmul: 7,
} as const;

/** Every kernel source, in the order the table lists them. */
export const KERNEL_FAMILIES: readonly KernelFamily[] = [
  elementwiseAbi,
  layoutAbi,
  reduceAbi,
  softmaxAbi,
  normsAbi,
  attentionAbi,
  crossEntropyAbi,
  ropeAbi,
  quantAbi,
  linalgAbi,
  gptqAbi,
];

function table(): Record<string, KernelSpec> {
  const k: Record<string, KernelSpec> = {};
  for (const family of KERNEL_FAMILIES) {
    family.kernels((name, params) => {
      if (k[name]) throw new Error(`kernel ${name} declared twice (${k[name].file} and ${family.file})`);
      k[name] = { file: family.file, params };
    });
  }
  return k;
}

export const KERNELS: Readonly<Record<string, KernelSpec>> = table();

export function kernelSpec(name: string): KernelSpec {
  const spec = KERNELS[name];
  if (!spec) throw new Error(`CUDA kernel ${name} is not in the kernel ABI table`);
  return spec;
}
