import { ShapeError } from "../shape.js";

/*
 * The AutoGPTQ / GPTQModel bit layout. Codes form one little-endian bit stream per packed line:
 * value i occupies bits [i·bits, (i+1)·bits) counted from the least significant bit of word 0,
 * so a 3-bit value may straddle two words (3 words hold 32 values). qweight streams down the
 * input axis ([in, out] → [in·bits/32, out]); qzeros along the output axis.
 */

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function checkBitWidth(bits: number, where: string): void {
  if (!(Number.isInteger(bits) && bits >= 1 && bits <= 16))
    throw new RangeError(`${where}: bits must be an integer in [1, 16], got ${bits}`);
}

function checkPackable(count: number, bits: number, what: string): void {
  if ((count * bits) % 32 !== 0) {
    throw new ShapeError(
      `${what}: ${count} values of ${bits} bits do not fill whole 32-bit words (need a multiple of ${32 / gcd(32, bits)})`,
    );
  }
}

/**
 * Packs values [n, m] along axis 0 (`axis = 0`, qweight) into [n·bits/32, m] or along axis 1
 * (qzeros) into [n, m·bits/32]. Values are masked to `bits`, so a v1 zero of −1 stays in its slot.
 */
export function packBits(values: Int32Array, n: number, m: number, bits: number, axis: 0 | 1): Int32Array {
  checkBitWidth(bits, "packBits");
  if (values.length !== n * m)
    throw new ShapeError(`packBits: values has ${values.length} elements, expected ${n}·${m}`);
  const len = axis === 0 ? n : m;
  const lines = axis === 0 ? m : n;
  checkPackable(len, bits, "packBits");
  const words = (len * bits) / 32;
  const out = new Int32Array(words * lines);
  const mask = (1 << bits) - 1;
  for (let line = 0; line < lines; line++) {
    for (let i = 0; i < len; i++) {
      const v = values[axis === 0 ? i * m + line : line * m + i] & mask;
      const bit = i * bits;
      const w = bit >>> 5;
      const shift = bit & 31;
      const at = (k: number) => (axis === 0 ? k * m + line : line * words + k);
      out[at(w)] |= v << shift;
      if (shift + bits > 32) out[at(w + 1)] |= v >>> (32 - shift);
    }
  }
  return out;
}

/** The inverse of packBits: [n, m] codes in [0, 2^bits). */
export function unpackBits(packed: Int32Array, n: number, m: number, bits: number, axis: 0 | 1): Int32Array {
  checkBitWidth(bits, "unpackBits");
  const len = axis === 0 ? n : m;
  const lines = axis === 0 ? m : n;
  checkPackable(len, bits, "unpackBits");
  const words = (len * bits) / 32;
  if (packed.length !== words * lines) {
    throw new ShapeError(
      `unpackBits: packed has ${packed.length} words, expected ${words * lines} for [${n}, ${m}] at ${bits} bits`,
    );
  }
  const out = new Int32Array(n * m);
  const mask = (1 << bits) - 1;
  if (axis === 0) {
    // qweight: one row of words serves `out` lines at once; walk it row by row (contiguous).
    for (let i = 0; i < len; i++) {
      const bit = i * bits;
      const w = bit >>> 5;
      const shift = bit & 31;
      const spill = shift + bits > 32;
      const row = w * m;
      const next = row + m;
      const o = i * m;
      for (let line = 0; line < m; line++) {
        let v = packed[row + line] >>> shift;
        if (spill) v |= packed[next + line] << (32 - shift);
        out[o + line] = v & mask;
      }
    }
    return out;
  }
  for (let line = 0; line < lines; line++) {
    for (let i = 0; i < len; i++) {
      const bit = i * bits;
      const w = bit >>> 5;
      const shift = bit & 31;
      let v = packed[line * words + w] >>> shift;
      if (shift + bits > 32) v |= packed[line * words + w + 1] << (32 - shift);
      out[line * m + i] = v & mask;
    }
  }
  return out;
}
