import type { KernelFamily, ParamKind } from "../../kernel-abi.js";
import { BYTE_SUFFIXES, type ByteSuffix, FLOAT_SUFFIXES, NUMERIC_SUFFIXES } from "../../suffixes.js";

/*
 * elementwise.cu: unary and binary math (with broadcasting through an Index3), comparisons,
 * where, casts, fills, and the AdamW update. The op codes are shared with the kernels'
 * `switch (op)`: common.cuh defines the same numbers as `#define UNARY_<NAME> <code>` etc.,
 * which the ABI test compares with these tables.
 */

export const UNARY_CODES = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  rsqrt: 4,
  abs: 5,
  tanh: 6,
  sigmoid: 7,
  relu: 8,
  gelu: 9,
  gelu_tanh: 10,
  silu: 11,
  sin: 12,
  cos: 13,
  square: 14,
  reciprocal: 15,
  sign: 16,
  floor: 17,
  round: 18,
  logical_not: 19,
} as const;

export const UNARY_GRAD_CODES = { gelu: 0, gelu_tanh: 1, silu: 2, tanh: 3, sigmoid: 4 } as const;

export const BINARY_CODES = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  pow: 4,
  maximum: 5,
  minimum: 6,
  eq: 7,
  ne: 8,
  lt: 9,
  le: 10,
  gt: 11,
  ge: 12,
} as const;

/** dtype codes of cast_any, in DTYPES order. */
export const DTYPE_CODES = {
  float32: 0,
  float64: 1,
  float16: 2,
  bfloat16: 3,
  int32: 4,
  int64: 5,
  int8: 6,
  uint8: 7,
  bool: 8,
} as const;

export const elementwiseAbi: KernelFamily = {
  file: "elementwise.cu",
  kernels(add) {
    const n = "i64" as const;
    for (const t of NUMERIC_SUFFIXES) {
      // (op, x, y, n)
      add(`unary_${t}`, ["i32", "ptr", "ptr", n]);
      // (op, a, b, y, n): same-shape contiguous operands (offsets already applied to the pointers)
      add(`binary_${t}`, ["i32", "ptr", "ptr", "ptr", n]);
      // comparisons write bool (unsigned char)
      add(`compare_${t}`, ["i32", "ptr", "ptr", "ptr", n]);
      // (op, a, b, y, view): s0 = a's strides, s1 = b's, over view.shape
      add(`binary_strided_${t}`, ["i32", "ptr", "ptr", "ptr", "index3"]);
      add(`compare_strided_${t}`, ["i32", "ptr", "ptr", "ptr", "index3"]);
      // (x, y, lo, hi, n)
      add(`clamp_${t}`, ["ptr", "ptr", "f64", "f64", n]);
    }
    for (const t of FLOAT_SUFFIXES) {
      // (op, x, g, y, n)
      add(`unary_grad_${t}`, ["i32", "ptr", "ptr", "ptr", n]);
      // (x, y, exponent, n)
      add(`pow_scalar_${t}`, ["ptr", "ptr", "f64", n]);
      // (p, g, m, v, n, beta1, beta2, eps, decay, stepSize, sqrtBc2): p = p*decay - stepSize*m/(sqrt(v)/sqrtBc2 + eps)
      add(`adamw_${t}`, ["ptr", "ptr", "ptr", "ptr", n, "f64", "f64", "f64", "f64", "f64", "f64"]);
    }
    // (fromCode, toCode, x, y, n)
    add("cast_any", ["i32", "i32", "ptr", "ptr", n]);
    const bits: Record<ByteSuffix, ParamKind> = { b1: "u8", b2: "u16", b4: "u32", b8: "u64" };
    for (const b of BYTE_SUFFIXES) {
      // (y, value bits, n)
      add(`fill_${b}`, ["ptr", bits[b], n]);
      // (y, row, rows, cols): every row of y [rows, cols] = row [cols]
      add(`fill_rows_${b}`, ["ptr", "ptr", n, n]);
      // (cond as bool, a, b, y, view): s0 = cond's strides, s1 = a's, s2 = b's
      add(`where_${b}`, ["ptr", "ptr", "ptr", "ptr", "index3"]);
    }
  },
};
