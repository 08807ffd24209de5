import type { TriangularSolveSpec } from "../../linalg.js";
import {
  block,
  mm,
  putBlock,
  type Real,
  reversed,
  rowsReversed,
  sameKind,
  subInPlace,
  transposed,
  zeroTriangle,
} from "./dense.js";

/*
 * Cholesky, triangular inverse and triangular solve without LAPACK: recursive halving (Gustavson,
 * Elmroth), so every O(n³) step is a GEMM through the backend and only diagonal blocks of at most
 * BASE × BASE are done element by element. Each level copies its quarters out (O(n²)), cheap next
 * to the products.
 */
const BASE = 64;

/** Split point: a multiple of BASE near the middle, so the leaves are full BASE blocks. */
function half(n: number): number {
  return Math.max(BASE, Math.round(n / 2 / BASE) * BASE);
}

export function choleskyBlocked(a: Real, n: number, upper: boolean): { factor: Real; info: number } {
  // The lower factor of A is the transpose of the upper one; only the lower triangle is read.
  const x = upper ? transposed(a, n, n) : a.slice();
  zeroTriangle(x, n, true);
  const info = choleskyLowerInPlace(x, n);
  if (info !== 0) return { factor: x, info };
  return { factor: upper ? transposed(x, n, n) : x, info };
}

/** Overwrites the lower triangle of x with L; returns 0 or 1 + the first failing pivot. */
function choleskyLowerInPlace(x: Real, n: number): number {
  if (n <= BASE) return choleskySmall(x, n);
  const n1 = half(n);
  const n2 = n - n1;
  const l11 = block(x, n, 0, n1, 0, n1);
  const info = choleskyLowerInPlace(l11, n1);
  putBlock(x, n, 0, 0, l11, n1, n1);
  if (info !== 0) return info;
  // L21 = A21·L11⁻ᵀ, then the trailing A22 − L21·L21ᵀ is factored the same way.
  const l21t = solveLowerLeft(l11, n1, transposed(block(x, n, n1, n, 0, n1), n2, n1), n2);
  const a22 = block(x, n, n1, n, n1, n);
  subInPlace(a22, mm(l21t, l21t, n2, n1, n2, true, false));
  const info2 = choleskyLowerInPlace(a22, n2);
  putBlock(x, n, n1, 0, transposed(l21t, n1, n2), n2, n1);
  putBlock(x, n, n1, n1, a22, n2, n2);
  for (let r = 0; r < n1; r++) x.fill(0, r * n + n1, (r + 1) * n);
  return info2 === 0 ? 0 : n1 + info2;
}

function choleskySmall(x: Real, n: number): number {
  for (let j = 0; j < n; j++) {
    let d = x[j * n + j];
    for (let k = 0; k < j; k++) d -= x[j * n + k] * x[j * n + k];
    if (!(d > 0)) return j + 1;
    const ljj = Math.sqrt(d);
    x[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = x[i * n + j];
      for (let k = 0; k < j; k++) s -= x[i * n + k] * x[j * n + k];
      x[i * n + j] = s / ljj;
    }
    x.fill(0, j * n + j + 1, (j + 1) * n);
  }
  return 0;
}

export function triangularInverseBlocked(
  a: Real,
  n: number,
  upper: boolean,
  unitDiagonal: boolean,
): { inverse: Real; info: number } {
  const l = lowerOperand(a, n, upper, unitDiagonal);
  const info = zeroPivot(l, n);
  if (info !== 0) return { inverse: l, info };
  const inv = invertLower(l, n);
  return { inverse: upper ? transposed(inv, n, n) : inv, info: 0 };
}

/** The lower-triangular matrix to work on: A's triangle (transposed if upper), unit diagonal set. */
function lowerOperand(a: Real, n: number, upper: boolean, unitDiagonal: boolean): Real {
  const l = upper ? transposed(a, n, n) : a.slice();
  zeroTriangle(l, n, true);
  if (unitDiagonal) for (let i = 0; i < n; i++) l[i * n + i] = 1;
  return l;
}

function zeroPivot(l: Real, n: number): number {
  for (let i = 0; i < n; i++) if (l[i * n + i] === 0) return i + 1;
  return 0;
}

/** L⁻¹ = [L11⁻¹, 0; −L22⁻¹·L21·L11⁻¹, L22⁻¹]. */
function invertLower(l: Real, n: number): Real {
  if (n <= BASE) return invertLowerSmall(l, n);
  const n1 = half(n);
  const n2 = n - n1;
  const x11 = invertLower(block(l, n, 0, n1, 0, n1), n1);
  const x22 = invertLower(block(l, n, n1, n, n1, n), n2);
  const x21 = mm(x22, mm(block(l, n, n1, n, 0, n1), x11, n2, n1, n1), n2, n2, n1);
  for (let i = 0; i < x21.length; i++) x21[i] = -x21[i];
  const out = sameKind(l, n * n);
  putBlock(out, n, 0, 0, x11, n1, n1);
  putBlock(out, n, n1, 0, x21, n2, n1);
  putBlock(out, n, n1, n1, x22, n2, n2);
  return out;
}

function invertLowerSmall(l: Real, n: number): Real {
  const x = sameKind(l, n * n);
  for (let j = 0; j < n; j++) {
    x[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * n + k] * x[k * n + j];
      x[i * n + j] = -s / l[i * n + i];
    }
  }
  return x;
}

export function solveTriangularBlocked(a: Real, b: Real, spec: TriangularSolveSpec): Real {
  const { n, rows, cols } = spec;
  if (!spec.left) {
    // X·op(A) = B  ⇔  op(A)ᵀ·Xᵀ = Bᵀ.
    const xt = solveTriangularBlocked(a, transposed(b, rows, cols), {
      ...spec,
      left: true,
      transpose: !spec.transpose,
      rows: cols,
      cols: rows,
    });
    return transposed(xt, cols, rows);
  }
  // op(A) is lower when A is lower and not transposed, or upper and transposed.
  const l = lowerOperand(a, n, spec.upper, spec.unitDiagonal);
  const opIsLower = spec.upper === spec.transpose;
  if (opIsLower) return solveLowerLeft(l, n, b.slice(), cols);
  // An upper U = op(A) is lower after reversing rows and columns: U·X = B ⇔ (JUJ)(JX) = JB.
  const u = transposed(l, n, n);
  return rowsReversed(solveLowerLeft(reversed(u, n), n, rowsReversed(b, rows, cols), cols), rows, cols);
}

/** X with L·X = B for lower L [n, n] and B [n, cols] (B is consumed). */
function solveLowerLeft(l: Real, n: number, b: Real, cols: number): Real {
  if (n <= BASE) return mm(invertLowerSmall(l, n), b, n, n, cols);
  const n1 = half(n);
  const n2 = n - n1;
  const x1 = solveLowerLeft(block(l, n, 0, n1, 0, n1), n1, b.subarray(0, n1 * cols), cols);
  const b2 = b.subarray(n1 * cols);
  subInPlace(b2, mm(block(l, n, n1, n, 0, n1), x1, n2, n1, cols));
  const x2 = solveLowerLeft(block(l, n, n1, n, n1, n), n2, b2, cols);
  const out = sameKind(b, n * cols);
  out.set(x1, 0);
  out.set(x2, n1 * cols);
  return out;
}
