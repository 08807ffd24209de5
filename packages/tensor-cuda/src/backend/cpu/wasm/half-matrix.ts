import type { Storage } from "../../backend.js";
import { blasSgemm, sgemmInto } from "../blas.js";
import { castArray } from "../cast.js";
import { ortSgemm } from "../gemm.js";
import { hostEmpty, hostRecycle } from "../pool.js";
import { CpuStorage, cpu } from "../storage.js";
import { WASM_BASE64 } from "./half-kernels.wasm.js";
import { ensureBytes, instantiate, type WasmMemory, wasmMemory } from "./runtime.js";

/*
 * y = x·Wᵀ for a bfloat16 weight W [n, k] kept at its checkpoint's width, without a float32 copy
 * of W. On its first product the weight moves into a WebAssembly memory of its own (a one-time
 * copy; the storage then points there), with room after it for the kernels' operands:
 * - one or two rows (decoding): half-kernels.wat's SIMD GEMV reads W in place — half the bytes
 *   a float32 GEMV streams;
 * - more rows: W is widened a tile of rows at a time into that room (a few hundred kB, in cache)
 *   and each tile goes through the BLAS GEMM into its columns of y.
 * float16 weights (no cheap SIMD widening) are widened whole per product.
 */

const GEMV_MAX_ROWS = 2;
/** Bytes of float32 weight one widened tile holds. */
const TILE_BYTES = 512 * 1024;

interface Kernels {
  gemv(w: number, x: number, y: number, rows: number, k: number): void;
  widen(src: number, dst: number, count: number): void;
}

/** WebAssembly memories that hold a bf16 array from birth, by their buffer: they grow in place. */
const memories = new WeakMap<ArrayBuffer, WasmMemory>();

/**
 * A zeroed bfloat16 array of `n` elements in a WebAssembly memory of its own, so that a weight
 * loaded into it is read by the kernels where it lies (the memory grows in place to make room
 * for their operands; no copy).
 */
export function wasmHalfArray(n: number): Uint16Array {
  const memory = wasmMemory(n * 2);
  memories.set(memory.buffer, memory);
  return new Uint16Array(memory.buffer, 0, n);
}

class HalfMatrix {
  readonly memory: WasmMemory;
  readonly kernels: Kernels;
  readonly xAt: number;
  readonly yAt: number;
  readonly tileAt: number;
  readonly tileRows: number;

  constructor(
    readonly n: number,
    readonly k: number,
    source: Uint16Array,
  ) {
    const align = (b: number) => Math.ceil(b / 16) * 16;
    this.tileRows = Math.max(16, Math.floor(TILE_BYTES / (4 * k)));
    this.xAt = align(n * k * 2);
    this.yAt = align(this.xAt + 4 * k);
    this.tileAt = align(this.yAt + 4 * n);
    const bytes = this.tileAt + 4 * k * Math.min(this.tileRows, n);
    const own = source.byteOffset === 0 ? memories.get(source.buffer as ArrayBuffer) : undefined;
    if (own) {
      // The weight was born in a memory of its own: grow it (in place) by the operands' room.
      memories.delete(source.buffer as ArrayBuffer);
      ensureBytes(own, bytes);
      this.memory = own;
    } else {
      this.memory = wasmMemory(bytes);
      new Uint16Array(this.memory.buffer, 0, n * k).set(source);
    }
    this.kernels = instantiate<Kernels>(WASM_BASE64, this.memory);
  }

  get weights(): Uint16Array {
    return new Uint16Array(this.memory.buffer, 0, this.n * this.k);
  }
}

/** The WebAssembly home of a bf16 weight storage, made (and the storage re-pointed) on first use. */
const homes = new WeakMap<Storage, HalfMatrix>();

function homeOf(w: Storage, n: number, k: number): HalfMatrix {
  let h = homes.get(w);
  if (h && h.n === n && h.k === k) return h;
  const s = w as CpuStorage;
  h = new HalfMatrix(n, k, cpu(s).data as Uint16Array);
  s.adopt(h.weights);
  homes.set(w, h);
  return h;
}

/**
 * y [rows, n] = x [rows, k] (float32) · Wᵀ (+ bias) for W [n, k] bfloat16 or float16: what
 * `linear` does with a weight kept at its checkpoint's width.
 */
export function halfWeightMatmul(
  x: Storage,
  w: Storage,
  rows: number,
  k: number,
  n: number,
  bias: Storage | null,
): Storage {
  const X = cpu(x).data as Float32Array;
  const B = bias ? (cpu(bias).data as Float32Array) : null;
  if (w.dtype === "float16") {
    // The float32 matmul's own GEMM on the widened weight: the same numbers as a float32 model.
    const wide = castArray(cpu(w).data, "float16", "float32") as Float32Array;
    const spec = { batch: 1, m: rows, k, n, transA: false, transB: true, aBatched: false, bBatched: false };
    const out = blasSgemm(X, wide, spec, B) ?? addBias(ortSgemm(X, wide, spec), B, n);
    hostRecycle(wide);
    return new CpuStorage("float32", out);
  }
  const y = hostEmpty("float32", rows * n);
  const h = homeOf(w, n, k);
  if (rows <= GEMV_MAX_ROWS) gemvRows(h, X, y, rows);
  else tiledGemm(h, X, y, rows);
  return new CpuStorage("float32", addBias(y, B, n));
}

function addBias(y: Float32Array, bias: Float32Array | null, n: number): Float32Array {
  if (bias) for (let r = 0; r < y.length; r += n) for (let j = 0; j < n; j++) y[r + j] += bias[j];
  return y;
}

function gemvRows(h: HalfMatrix, X: Float32Array, y: Float32Array, rows: number): void {
  const { n, k } = h;
  const mem = h.memory.buffer;
  const xs = new Float32Array(mem, h.xAt, k);
  const ys = new Float32Array(mem, h.yAt, n);
  for (let r = 0; r < rows; r++) {
    xs.set(X.subarray(r * k, (r + 1) * k));
    h.kernels.gemv(0, h.xAt, h.yAt, n, k);
    y.set(ys, r * n);
  }
}

function tiledGemm(h: HalfMatrix, X: Float32Array, y: Float32Array, rows: number): void {
  const { n, k, tileRows } = h;
  const mem = h.memory.buffer;
  for (let t0 = 0; t0 < n; t0 += tileRows) {
    const t = Math.min(tileRows, n - t0);
    h.kernels.widen(t0 * k * 2, h.tileAt, t * k);
    const tile = new Float32Array(mem, h.tileAt, t * k);
    // y[:, t0:t0+t] = X · tileᵀ, written in place with y's row stride.
    if (!sgemmInto(rows, t, k, X, k, tile, k, y.subarray(t0), n)) {
      const part = ortSgemm(X, tile, {
        batch: 1,
        m: rows,
        k,
        n: t,
        transA: false,
        transB: true,
        aBatched: false,
        bBatched: false,
      });
      for (let r = 0; r < rows; r++) y.set(part.subarray(r * t, (r + 1) * t), r * n + t0);
      hostRecycle(part);
    }
  }
}
