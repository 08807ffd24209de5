import { byteSize, type DType } from "../../dtype.js";
import type { Storage } from "../backend.js";

/*
 * The element types kernels are instantiated for (the suffix of a kernel's name: `unary_f32`,
 * `gather_b4_i64`), and which instantiation serves a dtype; errors name the op and the dtype, as
 * the CPU's do.
 */

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

const NUMERIC: Partial<Record<DType, NumericSuffix>> = {
  float32: "f32",
  float64: "f64",
  int32: "i32",
  uint8: "u8",
  bool: "u8",
};

export function numericSuffix(op: string, s: Storage): NumericSuffix {
  const t = NUMERIC[s.dtype];
  if (!t) {
    throw new TypeError(
      `${op}: dtype ${s.dtype} is storage-only on cuda; cast it to float32 (or int32) before computing`,
    );
  }
  return t;
}

export function floatSuffix(op: string, s: Storage): FloatSuffix {
  if (s.dtype === "float32") return "f32";
  if (s.dtype === "float64") return "f64";
  throw new TypeError(`${op}: expected a float32 or float64 tensor on cuda, got ${s.dtype}`);
}

export function atomicSuffix(op: string, s: Storage): "f32" | "f64" | "i32" {
  if (s.dtype === "float32") return "f32";
  if (s.dtype === "float64") return "f64";
  if (s.dtype === "int32") return "i32";
  throw new TypeError(`${op}: dtype ${s.dtype} is not supported on cuda (use float32, float64 or int32)`);
}

export function byteSuffix(dtype: DType): ByteSuffix {
  return `b${byteSize(dtype)}` as ByteSuffix;
}

export function indexSuffix(s: Storage): IndexSuffix | null {
  if (s.dtype === "int32") return "i32";
  if (s.dtype === "int64") return "i64";
  return null;
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}
