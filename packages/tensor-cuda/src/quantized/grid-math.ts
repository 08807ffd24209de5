/*
 * The min-max grid GPTQ, RTN and fake quantization share, in float32 arithmetic step for step
 * like the reference (IST-DASLab `quant.py`, `mse=False`), because a weight sitting on a rounding
 * boundary is decided by the last bit of `x / scale`. Host functions over typed arrays: the CPU
 * backend's kernels and gptq's column solve both use them, so every path agrees to the last bit.
 */

const f = Math.fround;

/** torch.round: halves go to the even neighbour (JavaScript's Math.round sends them up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Scale and zero point per row of the columns [c0, c1) of a matrix given transposed
 * (`wt[c * rows + r]` is row r, column c: the layout GPTQ works in). Written into
 * `scale`/`zero` at `out` (one slot per row).
 */
export function gridParams(
  wt: Float32Array,
  rows: number,
  c0: number,
  c1: number,
  maxq: number,
  sym: boolean,
  scale: Float32Array,
  zero: Float32Array,
  out = 0,
): void {
  const lo = new Float32Array(rows);
  const hi = new Float32Array(rows);
  for (let c = c0; c < c1; c++) {
    const base = c * rows;
    for (let r = 0; r < rows; r++) {
      const v = wt[base + r];
      if (v < lo[r]) lo[r] = v;
      if (v > hi[r]) hi[r] = v;
    }
  }
  for (let r = 0; r < rows; r++) {
    let a = lo[r];
    let b = hi[r];
    if (sym) {
      b = Math.max(-a, b);
      // A row without negatives keeps lo = 0, so its grid spans [0, max] with zero at the middle:
      // half the levels go unused. The reference does this; parity needs it too.
      if (a < 0) a = -b;
    }
    if (a === 0 && b === 0) {
      a = -1;
      b = 1;
    }
    const s = f(f(b - a) / maxq);
    scale[out + r] = s;
    // + 0 turns round(-0) into 0, so zero points compare and print as integers.
    zero[out + r] = sym ? (maxq + 1) / 2 : roundHalfEven(f(-a / s)) + 0;
  }
}

/** The integer code of x on the grid (scale, zero). */
export function quantizeCode(x: number, scale: number, zero: number, maxq: number): number {
  const q = roundHalfEven(f(x / scale)) + zero;
  return Math.min(Math.max(q, 0), maxq);
}

/** The value a code stands for, rounded to float32 as the reference's `scale * (q - zero)`. */
export function dequantizeCode(q: number, scale: number, zero: number): number {
  return f(scale * (q - zero));
}
