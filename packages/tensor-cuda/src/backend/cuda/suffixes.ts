import { byteSize, type DType } from "../../dtype.js";
import type { Storage } from "../backend.js";
import type { ByteSuffix, FloatSuffix, IndexSuffix, NumericSuffix } from "./kernel-abi.js";

/* Which kernel instantiation serves a dtype; errors name the op and the dtype, as the CPU's do. */

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
