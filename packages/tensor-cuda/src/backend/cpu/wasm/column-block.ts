import { WASM_BASE64 } from "./gptq-column.wasm.js";
import { ensureBytes, instantiate, wasmAvailable, wasmMemory } from "./runtime.js";

/*
 * The workspace of GPTQ's column loop (gptq-column.wat): one block of the column-major working
 * copy of W, its scaled errors, and the coefficients of a spread, in one WebAssembly memory the
 * kernel reads. Where WebAssembly SIMD is missing, the same loop runs in JavaScript.
 */

/** One block of GPTQ's column-major working copy of W, and its scaled errors. */
export interface ColumnBlock {
  /** The block's columns, column i at [i·rows, (i+1)·rows). */
  readonly w: Float32Array;
  /** The errors (w − q)/d of the block's columns, laid out as w. */
  readonly err: Float32Array;
  /** w[:, i+1+j] −= err[:, i]·coef[j] for j < coef.length, one rounded product at a time. */
  spread(i: number, coef: Float32Array): void;
}

interface Spread {
  spread(w: number, e: number, u: number, rows: number, count: number): void;
}

let simd: boolean | undefined;

/** A workspace for blocks of up to `width` columns of `rows` rows (one GPTQ run at a time). */
export function columnBlock(rows: number, width: number, useWasm = true): ColumnBlock {
  simd ??= wasmAvailable(WASM_BASE64);
  if (!useWasm || !simd) return jsBlock(rows, width);
  const bytes = (2 * rows * width + width) * 4;
  const memory = wasmMemory(bytes);
  ensureBytes(memory, bytes);
  const k = instantiate<Spread>(WASM_BASE64, memory);
  const buffer = memory.buffer;
  const w = new Float32Array(buffer, 0, rows * width);
  const err = new Float32Array(buffer, rows * width * 4, rows * width);
  const coefAt = 2 * rows * width * 4;
  const coefView = new Float32Array(buffer, coefAt, width);
  return {
    w,
    err,
    spread(i, coef) {
      if (coef.length === 0) return;
      coefView.set(coef);
      k.spread((i + 1) * rows * 4, err.byteOffset + i * rows * 4, coefAt, rows, coef.length);
    },
  };
}

function jsBlock(rows: number, width: number): ColumnBlock {
  const w = new Float32Array(rows * width);
  const err = new Float32Array(rows * width);
  return {
    w,
    err,
    spread(i, coef) {
      const eo = i * rows;
      for (let j = 0; j < coef.length; j++) {
        const u = coef[j];
        const o = (i + 1 + j) * rows;
        for (let r = 0; r < rows; r++) w[o + r] -= Math.fround(err[eo + r] * u);
      }
    },
  };
}
