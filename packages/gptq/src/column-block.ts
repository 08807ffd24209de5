/*
 * GPTQ's hot loop: after quantizing a column, its error is spread over the rest of its block,
 * w[:, j] −= e·U[c, j] for every later column j of the block (the reference's rank-1 matmul,
 * then a subtraction). That is rows × block²/2 products per block, most of GPTQ's time. It runs
 * in a tiny WebAssembly module with SIMD: f32x4.mul then f32x4.sub are the same two IEEE float32
 * roundings per element as the reference's, so codes stay bit-identical, at ~20× the speed of a
 * scalar JavaScript loop. The block being worked on lives in the module's memory. Where
 * WebAssembly SIMD is missing, the same loop runs in JavaScript.
 *
 * The module (assembled by hand; its text form):
 *   (func (export "spread") (param $w $e $u $rows $count i32)
 *     for j in [0, count):  uj = f32[u + 4j];  col = w + 4·j·rows
 *       for r in [0, rows & ~3) step 4:  v128[col + 4r] = f32x4.sub(v128[col + 4r], f32x4.mul(v128[e + 4r], splat(uj)))
 *       for r in [rows & ~3, rows):       f32[col + 4r] = f32[col + 4r] − f32[e + 4r] · uj
 *   (memory (export "memory") 1)
 */
const SPREAD_WASM =
  "AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFAwEAAQcTAgZzcHJlYWQAAAZtZW1vcnkCAArJAQHGAQMEfwF9AXsgA0F8cSEIAkADQCAFIARPDQEgAiAFQQJ0aioCACEJIAn9EyEKIAAgBSADbEECdGohB0EAIQYCQANAIAYgCE8NASAHIAZBAnRqIAcgBkECdGr9AAIAIAEgBkECdGr9AAIAIAr95gH95QH9CwIAIAZBBGohBgwACwsCQANAIAYgA08NASAHIAZBAnRqIAcgBkECdGoqAgAgASAGQQJ0aioCACAJlJM4AgAgBkEBaiEGDAALCyAFQQFqIQUMAAsLCw==";

interface Spread {
  spread(w: number, e: number, u: number, rows: number, count: number): void;
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
}

/** The part of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

let module: Spread | null | undefined;

function wasm(): Spread | null {
  if (module !== undefined) return module;
  try {
    const bytes = Uint8Array.from(atob(SPREAD_WASM), (ch) => ch.charCodeAt(0));
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    module = new api.Instance(new api.Module(bytes)).exports as Spread;
  } catch {
    module = null;
  }
  return module;
}

/** One block of GPTQ's column-major working copy of W, and its scaled errors. */
export interface ColumnBlock {
  /** The block's columns, column i at [i·rows, (i+1)·rows). */
  readonly w: Float32Array;
  /** The errors (w − q)/d of the block's columns, laid out as w. */
  readonly err: Float32Array;
  /** w[:, i+1+j] −= err[:, i]·coef[j] for j < coef.length, one rounded product at a time. */
  spread(i: number, coef: Float32Array): void;
}

/**
 * A workspace for blocks of up to `width` columns of `rows` rows. Its arrays stay valid until the
 * next call (the WebAssembly memory may grow), so one GPTQ run holds one at a time.
 */
export function columnBlock(rows: number, width: number, useWasm = true): ColumnBlock {
  const m = useWasm ? wasm() : null;
  if (!m) return jsBlock(rows, width);
  const bytes = (2 * rows * width + width) * 4;
  const have = m.memory.buffer.byteLength;
  if (have < bytes) m.memory.grow(Math.ceil((bytes - have) / 65536));
  const buffer = m.memory.buffer;
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
      m.spread((i + 1) * rows * 4, err.byteOffset + i * rows * 4, coefAt, rows, coef.length);
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
