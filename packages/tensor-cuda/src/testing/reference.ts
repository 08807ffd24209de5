/*
 * Straightforward plain-JS references the op tests compare against. They share no code with the
 * library: nested loops over row-major number arrays, written for clarity, not speed.
 */

export function numelRef(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Multi-index of flat position i in a row-major array of `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
  return f;
}

export function broadcastShapeRef(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[i - (n - a.length)] ?? 1;
    const db = b[i - (n - b.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error("not broadcastable");
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Reads element `outIdx` of a tensor of `shape` broadcast to a bigger rank. */
export function readBroadcast(
  data: readonly number[],
  shape: readonly number[],
  outIdx: readonly number[],
): number {
  const off = outIdx.length - shape.length;
  const idx = shape.map((d, i) => (d === 1 ? 0 : outIdx[off + i]));
  return data[ravel(idx, shape)];
}

export function binaryRef(
  a: readonly number[],
  aShape: readonly number[],
  b: readonly number[],
  bShape: readonly number[],
  f: (x: number, y: number) => number,
): { data: number[]; shape: number[] } {
  const shape = broadcastShapeRef(aShape, bShape);
  const data: number[] = [];
  for (let i = 0; i < numelRef(shape); i++) {
    const idx = unravel(i, shape);
    data.push(f(readBroadcast(a, aShape, idx), readBroadcast(b, bShape, idx)));
  }
  return { data, shape };
}

/** Batched matmul with NumPy semantics (batch dims broadcast, 1-D operands promoted). */
export function matmulRef(
  a: readonly number[],
  aShape: readonly number[],
  b: readonly number[],
  bShape: readonly number[],
): { data: number[]; shape: number[] } {
  const a2 = aShape.length === 1 ? [1, aShape[0]] : [...aShape];
  const b2 = bShape.length === 1 ? [bShape[0], 1] : [...bShape];
  const [m, k] = a2.slice(-2);
  const n = b2[b2.length - 1];
  const batch = broadcastShapeRef(a2.slice(0, -2), b2.slice(0, -2));
  const data: number[] = [];
  for (let p = 0; p < numelRef(batch); p++) {
    const bi = unravel(p, batch);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) {
          s += readBroadcast(a, a2, [...bi, i, t]) * readBroadcast(b, b2, [...bi, t, j]);
        }
        data.push(s);
      }
    }
  }
  const shape = [...batch];
  if (aShape.length > 1) shape.push(m);
  if (bShape.length > 1) shape.push(n);
  return { data, shape };
}

export function softmaxRow(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
}

/** Applies `f` to each row of the last axis. */
export function mapRows(
  data: readonly number[],
  cols: number,
  f: (row: number[], r: number) => number[],
): number[] {
  const out: number[] = [];
  for (let r = 0; r * cols < data.length; r++) out.push(...f(data.slice(r * cols, (r + 1) * cols), r));
  return out;
}

/** erf to ~1e-15 (series for small |x|, continued fraction for large), for GELU references. */
export function erfRef(x: number): number {
  const z = Math.abs(x);
  let r: number;
  if (z < 3) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (-z * z) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc continued fraction (Lentz).
    let f = z;
    let c = z;
    let d = 0;
    for (let n = 1; n < 200; n++) {
      const an = n / 2;
      d = z + an * d;
      d = 1 / d;
      c = z + an / c;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = 1 - Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  }
  return x < 0 ? -r : r;
}
