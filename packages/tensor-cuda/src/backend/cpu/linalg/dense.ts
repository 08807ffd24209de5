/*
 * Row-major dense matrices as typed arrays, and the few helpers the CPU linalg shares: block
 * copies, transposes and products through the backend's GEMM.
 */
import { gemm } from "../gemm.js";

export type Real = Float32Array | Float64Array;

/** A zeroed array of the same precision as `like`. */
export function sameKind<T extends Real>(like: T, length: number): T {
  return (like instanceof Float32Array ? new Float32Array(length) : new Float64Array(length)) as T;
}

/** Zeroes the strict upper (keepLower) or strict lower triangle of a square n×n matrix. */
export function zeroTriangle(x: Real, n: number, keepLower: boolean): void {
  for (let i = 0; i < n; i++) {
    if (keepLower) x.fill(0, i * n + i + 1, (i + 1) * n);
    else x.fill(0, i * n, i * n + i);
  }
}

/** [rows, cols] → [cols, rows]. */
export function transposed<T extends Real>(x: T, rows: number, cols: number): T {
  const out = sameKind(x, rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

/** J·X·J for a square X (J the reversal): row and column order both reversed. */
export function reversed<T extends Real>(x: T, n: number): T {
  const out = sameKind(x, n * n);
  for (let i = 0; i < n * n; i++) out[n * n - 1 - i] = x[i];
  return out;
}

/** Rows in reverse order. */
export function rowsReversed<T extends Real>(x: T, rows: number, cols: number): T {
  const out = sameKind(x, rows * cols);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * cols, (r + 1) * cols), (rows - 1 - r) * cols);
  return out;
}

/** The block [r0, r1) × [c0, c1) of a matrix with `ld` columns, as its own array. */
export function block<T extends Real>(x: T, ld: number, r0: number, r1: number, c0: number, c1: number): T {
  const w = c1 - c0;
  const out = sameKind(x, (r1 - r0) * w);
  for (let r = r0; r < r1; r++) out.set(x.subarray(r * ld + c0, r * ld + c1), (r - r0) * w);
  return out;
}

/** Writes `src` [rows, cols] into x (with `ld` columns) at (r0, c0). */
export function putBlock(
  x: Real,
  ld: number,
  r0: number,
  c0: number,
  src: Real,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) x.set(src.subarray(r * cols, (r + 1) * cols), (r0 + r) * ld + c0);
}

/** op(a)·op(b) with op(a) [m, k] and op(b) [k, n]. */
export function mm<T extends Real>(
  a: T,
  b: T,
  m: number,
  k: number,
  n: number,
  transA = false,
  transB = false,
): T {
  return gemm(a, b, { batch: 1, m, k, n, transA, transB, aBatched: false, bBatched: false });
}

/** x −= y, element-wise. */
export function subInPlace(x: Real, y: Real): void {
  for (let i = 0; i < x.length; i++) x[i] -= y[i];
}
