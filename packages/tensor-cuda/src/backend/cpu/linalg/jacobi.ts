import { mm, type Real, sameKind, transposed } from "./dense.js";

/*
 * Symmetric eigendecomposition and SVD without LAPACK: block Jacobi (cyclic over pairs of BLOCK-
 * wide index blocks). Each pair's small problem is diagonalised element by element (at most
 * 2·BLOCK wide), and its rotation reaches the big matrices as GEMMs, so the O(n³) work of a
 * sweep runs in the backend's GEMM. Computed in float64 whatever the input precision.
 */
const BLOCK = 32;
const MAX_SWEEPS = 40;
const EPS = Number.EPSILON;

export function eighJacobi(a: Real, n: number): { values: Real; vectors: Real; info: number } {
  // Only the lower triangle is read, as LAPACK does.
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      x[i * n + j] = a[i * n + j];
      x[j * n + i] = a[i * n + j];
    }
  }
  // Rows of vt are the eigenvectors (V's columns), so a pair's rows are contiguous.
  const vt = identity(n);
  const groups = indexBlocks(n);
  let converged = false;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    converged = true;
    const scale = frobenius(x);
    for (const { idx, split } of pairs(groups)) {
      const s = idx.length;
      const sub = gather(x, n, idx, idx);
      if (!needsRotation(sub, s, split, scale, false)) continue;
      converged = false;
      const { values, vectors } = jacobiEigSmall(sub, s);
      // X ← Qᵀ·X·Q for Q the identity but J on idx: rows idx become Jᵀ·X[idx, :], columns idx
      // their transpose (X stays symmetric), and the idx × idx block is diag(values) exactly.
      const rows = mm(vectors, gatherRows(x, n, idx), s, s, n, true, false);
      for (let r = 0; r < s; r++) x.set(rows.subarray(r * n, (r + 1) * n), idx[r] * n);
      for (let r = 0; r < s; r++) for (let c = 0; c < n; c++) x[c * n + idx[r]] = rows[r * n + c];
      for (let r = 0; r < s; r++)
        for (let c = 0; c < s; c++) x[idx[r] * n + idx[c]] = r === c ? values[r] : 0;
      const v = mm(vectors, gatherRows(vt, n, idx), s, s, n, true, false);
      for (let r = 0; r < s; r++) vt.set(v.subarray(r * n, (r + 1) * n), idx[r] * n);
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i * n + i] - x[j * n + j]);
  const values = sameKind(a, n);
  const vectors = sameKind(a, n * n);
  order.forEach((src, dst) => {
    values[dst] = x[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = vt[src * n + k];
  });
  return { values, vectors, info: converged ? 0 : n };
}

export function svdJacobi(
  a: Real,
  m: number,
  n: number,
  full: boolean,
): { u: Real; s: Real; vh: Real; info: number } {
  if (m < n) {
    // Aᵀ = U'·S·Vh'  ⇒  A = Vh'ᵀ·S·U'ᵀ.
    const t = svdJacobi(transposed(a, m, n), n, m, full);
    const k = t.s.length;
    return {
      u: transposed(t.vh, full ? m : k, m),
      s: t.s,
      vh: transposed(t.u, n, full ? n : k),
      info: t.info,
    };
  }
  // One-sided Jacobi on the columns of A (rows of w = Aᵀ): rotate pairs of column blocks until
  // all are orthogonal; then A·V = W has orthogonal columns, σ their norms, U their directions.
  const w = Float64Array.from(transposed(a, m, n));
  const vt = identity(n);
  const groups = indexBlocks(n);
  let converged = false;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    converged = true;
    const largest = maxRowNormSquared(w, n, m);
    for (const { idx, split } of pairs(groups)) {
      const s = idx.length;
      const rows = gatherRows(w, m, idx);
      const gram = mm(rows, rows, s, m, s, false, true);
      if (!needsRotation(gram, s, split, largest, true)) continue;
      converged = false;
      const { vectors } = jacobiEigSmall(gram, s);
      const rotated = mm(vectors, rows, s, s, m, true, false);
      for (let r = 0; r < s; r++) w.set(rotated.subarray(r * m, (r + 1) * m), idx[r] * m);
      const v = mm(vectors, gatherRows(vt, n, idx), s, s, n, true, false);
      for (let r = 0; r < s; r++) vt.set(v.subarray(r * n, (r + 1) * n), idx[r] * n);
    }
  }
  const norms = Array.from({ length: n }, (_, j) => Math.sqrt(dot(w, j * m, w, j * m, m)));
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => norms[j] - norms[i]);
  const floor = (norms[order[0]] ?? 0) * Math.max(m, n) * EPS;
  const k = n;
  const s = sameKind(a, k);
  const ut = new Float64Array(k * m);
  const vh = sameKind(a, n * n);
  let known = 0;
  order.forEach((src, dst) => {
    s[dst] = norms[src] > floor ? norms[src] : 0;
    if (norms[src] > floor) {
      known++;
      for (let c = 0; c < m; c++) ut[dst * m + c] = w[src * m + c] / norms[src];
    }
    vh.set(vt.subarray(src * n, (src + 1) * n), dst * n);
  });
  // Directions for zero singular values (and, with `full`, the rest of U) complete the basis.
  const cols = full ? m : k;
  const basis = new Float64Array(cols * m);
  basis.set(ut.subarray(0, known * m));
  if (cols > known) basis.set(complement(ut.subarray(0, known * m), known, m, cols - known), known * m);
  const u = sameKind(a, m * cols);
  for (let r = 0; r < cols; r++) for (let c = 0; c < m; c++) u[c * cols + r] = basis[r * m + c];
  return { u, s, vh, info: converged ? 0 : 1 };
}

/**
 * `count` orthonormal vectors [count, m] orthogonal to the rows of q [known, m]: pseudo-random
 * vectors projected off q twice (GEMMs), then orthonormalised by their own SVD.
 */
function complement(q: Float64Array, known: number, m: number, count: number): Float64Array {
  const c = new Float64Array(count * m);
  let seed = 12345;
  for (let i = 0; i < c.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    c[i] = seed / 2147483648 - 0.5;
  }
  for (let pass = 0; pass < 2 && known > 0; pass++) {
    const coef = mm(c, q, count, m, known, false, true);
    const proj = mm(coef, q, count, known, m);
    for (let i = 0; i < c.length; i++) c[i] -= proj[i];
  }
  // The rows of c span the complement; the left factor of cᵀ [m, count] is an orthonormal basis of it.
  const t = svdJacobi(transposed(c, count, m), m, count, false);
  return transposed(t.u, m, count) as Float64Array;
}

/** [0, BLOCK), [BLOCK, 2·BLOCK), ... of 0..n−1. */
function indexBlocks(n: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < n; s += BLOCK)
    out.push(Array.from({ length: Math.min(BLOCK, n - s) }, (_, i) => s + i));
  return out;
}

/**
 * Every pair of blocks once (a sweep), with where the second block starts in the index list; a
 * single block is its own problem (split 0: all of it is off-diagonal).
 */
function* pairs(groups: number[][]): Generator<{ idx: number[]; split: number }> {
  if (groups.length === 1) {
    yield { idx: groups[0], split: 0 };
    return;
  }
  for (let p = 0; p < groups.length - 1; p++)
    for (let q = p + 1; q < groups.length; q++)
      yield { idx: [...groups[p], ...groups[q]], split: groups[p].length };
}

/**
 * Whether a pair's off-diagonal part (between its two blocks, or everywhere for a lone block) is
 * still above rounding: relative to ‖X‖_F (or the largest squared column norm, for a Gram matrix)
 * and to its own diagonal (one-sided Jacobi's angle test).
 */
function needsRotation(g: Float64Array, s: number, split: number, scale: number, gram: boolean): boolean {
  const tol = s * EPS;
  for (let i = 0; i < (split || s); i++) {
    for (let j = split || i + 1; j < s; j++) {
      const v = Math.abs(g[i * s + j]);
      if (v <= tol * scale) continue;
      if (v <= (gram ? tol : EPS) * Math.sqrt(Math.abs(g[i * s + i] * g[j * s + j]))) continue;
      return true;
    }
  }
  return false;
}

/** Cyclic two-sided Jacobi on a small symmetric s×s matrix: eigenvalues and J (vectors in columns). */
function jacobiEigSmall(a: Float64Array, s: number): { values: Float64Array; vectors: Float64Array } {
  const x = a.slice();
  const j = identity(s);
  const tiny = frobenius(x) * EPS * 1e-3;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < s - 1; p++) {
      for (let q = p + 1; q < s; q++) {
        const apq = x[p * s + q];
        if (Math.abs(apq) <= tiny || Math.abs(apq) <= EPS * Math.sqrt(Math.abs(x[p * s + p] * x[q * s + q])))
          continue;
        rotated = true;
        // Golub & Van Loan's symmetric Schur 2×2: J = [c s; −s c] zeroes x[p, q].
        const tau = (x[q * s + q] - x[p * s + p]) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = t * c;
        for (let k = 0; k < s; k++) {
          const xp = x[k * s + p];
          const xq = x[k * s + q];
          x[k * s + p] = c * xp - sn * xq;
          x[k * s + q] = sn * xp + c * xq;
        }
        for (let k = 0; k < s; k++) {
          const xp = x[p * s + k];
          const xq = x[q * s + k];
          x[p * s + k] = c * xp - sn * xq;
          x[q * s + k] = sn * xp + c * xq;
        }
        x[p * s + q] = 0;
        x[q * s + p] = 0;
        for (let k = 0; k < s; k++) {
          const jp = j[k * s + p];
          const jq = j[k * s + q];
          j[k * s + p] = c * jp - sn * jq;
          j[k * s + q] = sn * jp + c * jq;
        }
      }
    }
    if (!rotated) break;
  }
  const values = new Float64Array(s);
  for (let i = 0; i < s; i++) values[i] = x[i * s + i];
  return { values, vectors: j };
}

function identity(n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) x[i * n + i] = 1;
  return x;
}

function gather(x: Float64Array, ld: number, rows: number[], cols: number[]): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  rows.forEach((r, i) => {
    cols.forEach((c, j) => {
      out[i * cols.length + j] = x[r * ld + c];
    });
  });
  return out;
}

function gatherRows(x: Float64Array, ld: number, rows: number[]): Float64Array {
  const out = new Float64Array(rows.length * ld);
  rows.forEach((r, i) => {
    out.set(x.subarray(r * ld, (r + 1) * ld), i * ld);
  });
  return out;
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[ao + i] * b[bo + i];
  return s;
}

function frobenius(x: Float64Array): number {
  return Math.sqrt(dot(x, 0, x, 0, x.length));
}

function maxRowNormSquared(w: Float64Array, rows: number, cols: number): number {
  let best = 0;
  for (let r = 0; r < rows; r++) best = Math.max(best, dot(w, r * cols, w, r * cols, cols));
  return best;
}
