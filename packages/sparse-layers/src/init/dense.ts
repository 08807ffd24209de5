import { linalg, matmul, Tensor } from "@shrinkray/tensor-cuda";

/*
 * Row-major host matrices for decompose's O(size) bookkeeping (block masks, permutations);
 * products and factorisations go to tensor-cuda's GEMM and linalg.
 */
export type Real = Float32Array | Float64Array;
export type Precision = "float32" | "float64";

export function alloc(dtype: Precision, length: number): Real {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

export function tensor(data: Real, rows: number, cols: number): Tensor {
  return Tensor.from(data, [rows, cols], { dtype: data instanceof Float64Array ? "float64" : "float32" });
}

/** a·b (a [m, k], b [k, n]) through the GEMM, in a's precision. */
export function product(a: Real, b: Real, m: number, k: number, n: number): Real {
  const ta = tensor(a, m, k);
  const tb = tensor(b, k, n);
  const y = matmul(ta, tb);
  const out = y.dataSync() as Real;
  for (const t of [ta, tb, y]) t.dispose();
  return out;
}

export function subtract(a: Real, b: Real): Real {
  const out = a.slice();
  for (let i = 0; i < out.length; i++) out[i] -= b[i];
  return out;
}

export function cast(x: Real, dtype: Precision): Real {
  return dtype === "float64" ? Float64Array.from(x) : Float32Array.from(x);
}

/** X with G·X = B for a symmetric positive definite G [n, n] (Cholesky, two triangular solves). */
export function solvePositiveDefinite(
  g: Float64Array,
  b: Float64Array,
  n: number,
  cols: number,
): Float64Array {
  const l = linalg.cholesky(tensor(g, n, n), { name: "a block of the calibration Gram matrix" });
  const y = linalg.solveTriangular(l, tensor(b, n, cols), { upper: false });
  const x = linalg.solveTriangular(l, y, { upper: false, transpose: true });
  const out = x.dataSync() as Float64Array;
  for (const t of [l, y, x]) t.dispose();
  return out;
}

/** Columns reordered so that position j holds column perm[j]. */
export function permuteColumns(w: Real, rows: number, cols: number, perm: Int32Array): Real {
  const out = alloc(w instanceof Float64Array ? "float64" : "float32", rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[r * cols + j] = w[r * cols + perm[j]];
  return out;
}

export function unpermuteColumns(w: Real, rows: number, cols: number, perm: Int32Array): Real {
  const out = alloc(w instanceof Float64Array ? "float64" : "float32", rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[r * cols + perm[j]] = w[r * cols + j];
  return out;
}

export function permuteSymmetric(g: Float64Array, n: number, perm: Int32Array): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = g[perm[i] * n + perm[j]];
  return out;
}
