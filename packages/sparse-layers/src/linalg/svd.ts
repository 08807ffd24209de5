import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import { fromTensor, type Matrix, matmul, toTensor, transpose, zeros } from "./matrix.js";

/** A = U · diag(S) · Vᵀ with U [m, k], V [n, k] orthonormal columns, S descending, k = min(m, n). */
export interface SvdResult {
  U: Matrix;
  S: Float64Array;
  V: Matrix;
}

export interface SvdOptions {
  /** Stop when every column pair is orthogonal to this relative tolerance. */
  tol?: number;
  maxSweeps?: number;
}

/**
 * Singular value decomposition by one-sided Jacobi (Hestenes) rotations in float64. Chosen over
 * Golub–Kahan because it is short, needs no bidiagonal QR with shifts, and computes small
 * singular values to high relative accuracy; its O(n²·m) per sweep is fine for the layer sizes
 * that are decomposed exactly (large layers use `randomizedSvd`, which calls this on thin
 * matrices only).
 */
export function svdMatrix(a: Matrix, opts: SvdOptions = {}): SvdResult {
  if (a.rows < a.cols) {
    const t = svdMatrix(transpose(a), opts);
    return { U: t.V, S: t.S, V: t.U };
  }
  const m = a.rows;
  const n = a.cols;
  const tol = opts.tol ?? 1e-15;
  const maxSweeps = opts.maxSweeps ?? 60;
  // Columns of A and of V stored as contiguous rows, so each rotation walks memory linearly.
  const c = transpose(a).data;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const po = p * m;
        const qo = q * m;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let k = 0; k < m; k++) {
          const x = c[po + k];
          const y = c[qo + k];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        rotate(c, po, qo, m, cs, sn);
        rotate(v, p * n, q * n, n, cs, sn);
      }
    }
    if (!rotated) break;
  }
  const sigma = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += c[j * m + k] ** 2;
    sigma[j] = Math.sqrt(s);
  }
  const order = [...sigma.keys()].sort((i, j) => sigma[j] - sigma[i]);
  const U = zeros(m, n);
  const V = zeros(n, n);
  const S = new Float64Array(n);
  const floor = (sigma[order[0]] || 0) * m * Number.EPSILON;
  const basis: Float64Array[] = [];
  order.forEach((j, r) => {
    S[r] = sigma[j];
    let u: Float64Array = c.subarray(j * m, (j + 1) * m).map((x) => x / sigma[j]);
    // A numerically zero column carries no direction; any unit vector orthogonal to the rest will do.
    if (!(sigma[j] > floor)) u = orthogonalComplementVector(basis, m);
    basis.push(u);
    for (let k = 0; k < m; k++) U.data[k * n + r] = u[k];
    for (let k = 0; k < n; k++) V.data[k * n + r] = v[j * n + k];
  });
  return { U, S, V };
}

function rotate(d: Float64Array, po: number, qo: number, len: number, cs: number, sn: number): void {
  for (let k = 0; k < len; k++) {
    const x = d[po + k];
    const y = d[qo + k];
    d[po + k] = cs * x - sn * y;
    d[qo + k] = sn * x + cs * y;
  }
}

/** A unit vector orthogonal to every vector in `basis` (Gram–Schmidt on the standard basis). */
function orthogonalComplementVector(basis: Float64Array[], m: number): Float64Array {
  for (let e = 0; e < m; e++) {
    const u = new Float64Array(m);
    u[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let d = 0;
        for (let k = 0; k < m; k++) d += b[k] * u[k];
        for (let k = 0; k < m; k++) u[k] -= d * b[k];
      }
    }
    let norm = 0;
    for (let k = 0; k < m; k++) norm += u[k] * u[k];
    norm = Math.sqrt(norm);
    if (norm > 0.5) return u.map((x) => x / norm);
  }
  throw new Error("svd: could not complete an orthonormal basis");
}

/** The leading `rank` triplets of an SVD (Eckart–Young: the best rank-r approximation). */
export function truncate(s: SvdResult, rank: number): SvdResult {
  const k = Math.min(rank, s.S.length);
  const cut = (x: Matrix): Matrix => {
    const out = zeros(x.rows, k);
    for (let i = 0; i < x.rows; i++) for (let j = 0; j < k; j++) out.data[i * k + j] = x.data[i * x.cols + j];
    return out;
  };
  return { U: cut(s.U), S: s.S.slice(0, k), V: cut(s.V) };
}

export interface RandomizedSvdOptions {
  /** Extra sampled directions beyond the rank (Halko et al. suggest 5–10). */
  oversample?: number;
  /** Power iterations; each sharpens the spectrum's decay at the cost of two GEMMs. */
  powerIters?: number;
  generator?: Generator;
}

/**
 * An approximate rank-r SVD (Halko, Martinsson & Tropp 2011): sample the range of A with a
 * Gaussian sketch, orthonormalise it, and decompose the small projected matrix exactly. The big
 * products run as GEMMs; Jacobi only sees matrices with r + oversample columns. For layers whose
 * exact SVD would take minutes in JavaScript (4864 × 896).
 */
export function randomizedSvd(a: Matrix, rank: number, opts: RandomizedSvdOptions = {}): SvdResult {
  const k = Math.min(rank + (opts.oversample ?? 8), a.rows, a.cols);
  const g = opts.generator ?? new Generator(0);
  const omega = zeros(a.cols, k);
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = g.normal();
  const at = transpose(a);
  let q = orthonormalColumns(matmul(a, omega));
  for (let i = 0; i < (opts.powerIters ?? 2); i++) {
    q = orthonormalColumns(matmul(a, orthonormalColumns(matmul(at, q))));
  }
  const small = svdMatrix(matmul(transpose(q), a));
  return truncate({ U: matmul(q, small.U), S: small.S, V: small.V }, rank);
}

/** An orthonormal basis of the column space (the U of a thin SVD). */
function orthonormalColumns(y: Matrix): Matrix {
  return svdMatrix(y).U;
}

/** SVD of a 2-D tensor; the factors come back in the tensor's dtype (computed in float64). */
export function svd(t: Tensor, opts: SvdOptions = {}): { U: Tensor; S: Tensor; V: Tensor } {
  const dtype = t.dtype === "float64" ? "float64" : "float32";
  const r = svdMatrix(fromTensor(t), opts);
  const S = Tensor.from(dtype === "float64" ? r.S.slice() : Float32Array.from(r.S), [r.S.length]);
  return { U: toTensor(r.U, dtype), S, V: toTensor(r.V, dtype) };
}
