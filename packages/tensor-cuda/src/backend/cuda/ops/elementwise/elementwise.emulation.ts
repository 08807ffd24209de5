import type { DType, TypedArray } from "../../../dtype.js";
import type { Storage, UnaryGradOp, UnaryOp } from "../../backend.js";
import { castArray } from "../../cpu/cast.js";
import { cpuBackend } from "../../cpu/index.js";
import { CpuStorage } from "../../cpu/storage.js";
import type { Index3 } from "../index3.js";
import { BINARY_CODES, DTYPE_CODES, ERROR_OPS, UNARY_CODES, UNARY_GRAD_CODES } from "../kernel-abi.js";
import type { KernelArg } from "../params.js";
import type { DeviceMemory } from "./device-memory.js";
import { runFusedKernel } from "./fused-kernels.js";

/*
 * JavaScript models of the CUDA kernels, one per family, written from kernel-abi.ts's parameter
 * comments. Arithmetic goes through the CPU backend wherever it has the same primitive, so the
 * emulated CUDA backend must agree with the CPU backend exactly when its host code is right.
 */

const SUFFIX_DTYPE: Record<string, DType> = {
  f32: "float32",
  f64: "float64",
  i32: "int32",
  u8: "uint8",
  i64: "int64",
  b1: "uint8",
  b2: "float16",
  b4: "float32",
  b8: "float64",
};
/** Bit-moving kernels copy raw element bits: integer views keep NaN payloads intact. */
const BITS_DTYPE: Record<string, DType> = { b1: "uint8", b2: "float16", b4: "int32", b8: "int64" };

const UNARY_NAMES = invert(UNARY_CODES) as Record<number, UnaryOp>;
const GRAD_NAMES = invert(UNARY_GRAD_CODES) as Record<number, UnaryGradOp>;
const BINARY_NAMES = invert(BINARY_CODES) as Record<number, keyof typeof BINARY_CODES>;
const DTYPE_NAMES = invert(DTYPE_CODES) as Record<number, DType>;

function invert(table: Record<string, number>): Record<number, string> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k]));
}

/** Row-major walk of an Index3: the element offset of operand k for output element i. */
function offsetOf(ix: Index3, k: number, i: number): number {
  let off = ix.offsets[k];
  let rem = i;
  for (let d = ix.rank - 1; d >= 0; d--) {
    off += (rem % ix.shape[d]) * ix.strides[k][d];
    rem = Math.floor(rem / ix.shape[d]);
  }
  return off;
}

function contiguousView(n: number) {
  return { shape: [n], strides: [1], offset: 0 };
}

function ixView(ix: Index3, k: number) {
  return { shape: ix.shape, strides: ix.strides[k], offset: ix.offsets[k] };
}

export function runKernel(
  mem: DeviceMemory,
  name: string,
  args: readonly KernelArg[],
  grid: readonly number[],
): void {
  const a = args as (number | bigint | Index3)[];
  const num = (i: number) => Number(a[i]);
  const ptr = (i: number) => a[i] as bigint;
  const ix = (i: number) => a[i] as Index3;
  const arr = (i: number, dtype: DType, n?: number) => mem.array(ptr(i), dtype, n, `${name} parameter ${i}`);
  const store = (i: number, dtype: DType, src: Storage) => {
    const data = (src as CpuStorage).data as TypedArray & { length: number };
    (arr(i, dtype, data.length) as Float32Array).set(data as Float32Array);
  };
  const cpu = (dtype: DType, data: TypedArray) => new CpuStorage(dtype, data);
  if (runFusedKernel(mem, name, args)) return;
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^unary_(f32|f64|i32|u8)$/))) {
    const t = SUFFIX_DTYPE[m[1]];
    const op = UNARY_NAMES[num(0)];
    const out = cpuBackend.unary(op, cpu(t, arr(1, t, num(3)))) as CpuStorage;
    // logical_not writes 0/1 in the input's type.
    (arr(2, t, out.length) as Float32Array).set(out.data as Float32Array);
  } else if ((m = name.match(/^unary_grad_(f32|f64)$/))) {
    const t = SUFFIX_DTYPE[m[1]];
    const n = num(4);
    store(3, t, cpuBackend.unaryGrad(GRAD_NAMES[num(0)], cpu(t, arr(1, t, n)), cpu(t, arr(2, t, n))));
  } else if ((m = name.match(/^(binary|compare)_(f32|f64|i32|u8)$/))) {
    const t = SUFFIX_DTYPE[m[2]];
    const n = num(4);
    const out = cpuBackend.binary(
      BINARY_NAMES[num(0)],
      cpu(t, arr(1, t, n)),
      contiguousView(n),
      cpu(t, arr(2, t, n)),
      contiguousView(n),
      [n],
    );
    store(
      3,
      m[1] === "compare" ? "uint8" : t,
      out.dtype === "bool" ? cpu("uint8", (out as CpuStorage).data) : out,
    );
  } else if ((m = name.match(/^(binary|compare)_strided_(f32|f64|i32|u8)$/))) {
    const t = SUFFIX_DTYPE[m[2]];
    const v = ix(4);
    const out = cpuBackend.binary(
      BINARY_NAMES[num(0)],
      cpu(t, arr(1, t)),
      ixView(v, 0),
      cpu(t, arr(2, t)),
      ixView(v, 1),
      v.shape,
    );
    store(
      3,
      m[1] === "compare" ? "uint8" : t,
      out.dtype === "bool" ? cpu("uint8", (out as CpuStorage).data) : out,
    );
  } else if ((m = name.match(/^clamp_(f32|f64|i32|u8)$/))) {
    const t = SUFFIX_DTYPE[m[1]];
    store(1, t, cpuBackend.clamp(cpu(t, arr(0, t, num(4))), num(2), num(3)));
  } else if ((m = name.match(/^pow_scalar_(f32|f64)$/))) {
    const t = SUFFIX_DTYPE[m[1]];
    store(1, t, cpuBackend.powScalar(cpu(t, arr(0, t, num(3))), num(2)));
  } else if ((m = name.match(/^adamw_(f32|f64)$/))) {
    const t = SUFFIX_DTYPE[m[1]];
    const n = num(4);
    const [P, G, M, V] = [0, 1, 2, 3].map((i) => arr(i, t, n) as Float64Array);
    const [b1, b2, eps, decay, stepSize, sqrtBc2] = [5, 6, 7, 8, 9, 10].map(num);
    for (let i = 0; i < n; i++) {
      M[i] = b1 * M[i] + (1 - b1) * G[i];
      V[i] = b2 * V[i] + (1 - b2) * G[i] * G[i];
      P[i] = P[i] * decay - (stepSize * M[i]) / (Math.sqrt(V[i]) / sqrtBc2 + eps);
    }
  } else if (name === "cast_any") {
    const from = DTYPE_NAMES[num(0)];
    const to = DTYPE_NAMES[num(1)];
    const out = castArray(arr(2, from, num(4)), from, to);
    (arr(3, to, out.length) as Float32Array).set(out as Float32Array);
  } else if ((m = name.match(/^fill_(b\d)$/))) {
    const t = BITS_DTYPE[m[1]];
    const y = arr(0, t, num(2));
    if (y instanceof BigInt64Array) y.fill(BigInt.asIntN(64, BigInt(a[1] as bigint)));
    else if (y instanceof Int32Array) y.fill(num(1) | 0);
    else (y as Uint8Array).fill(num(1));
  } else if ((m = name.match(/^fill_rows_(b\d)$/))) {
    const t = BITS_DTYPE[m[1]];
    const rows = num(2);
    const cols = num(3);
    const y = arr(0, t, rows * cols) as Float32Array;
    const row = arr(1, t, cols) as Float32Array;
    for (let r = 0; r < rows; r++) y.set(row, r * cols);
  } else if ((m = name.match(/^where_(b\d)$/))) {
    const t = BITS_DTYPE[m[1]];
    const v = ix(4);
    const C = arr(0, "uint8");
    const A = arr(1, t) as Float32Array;
    const B = arr(2, t) as Float32Array;
    const Y = arr(3, t, v.n) as Float32Array;
    for (let i = 0; i < v.n; i++) Y[i] = C[offsetOf(v, 0, i)] ? A[offsetOf(v, 1, i)] : B[offsetOf(v, 2, i)];
  } else if ((m = name.match(/^copy_strided_(b\d)$/))) {
    const t = BITS_DTYPE[m[1]];
    const v = ix(2);
    const X = arr(0, t) as Float32Array;
    const Y = arr(1, t, v.n) as Float32Array;
    for (let i = 0; i < v.n; i++) Y[i] = X[offsetOf(v, 0, i)];
  } else if ((m = name.match(/^copy_into_(b\d)$/))) {
    const t = BITS_DTYPE[m[1]];
    const v = ix(2);
    const D = arr(0, t) as Float32Array;
    const S = arr(1, t, v.n) as Float32Array;
    for (let i = 0; i < v.n; i++) D[offsetOf(v, 0, i)] = S[i];
  } else if ((m = name.match(/^(gather|index_select|scatter_add|index_add)_(\w+)_(i32|i64)$/))) {
    indexKernel(mem, m[1] as keyof typeof ERROR_OPS, m[2], m[3], arr, num, ptr);
  } else if ((m = name.match(/^reduce_(sum|minmax|arg)_(rows|cols)_(f32|f64|i32|u8)$/))) {
    const t = SUFFIX_DTYPE[m[3]];
    const shift = m[1] === "sum" ? 0 : 1;
    const [outer, size, inner] = [2, 3, 4].map((i) => num(i + shift));
    if (m[2] === "rows" && inner !== 1) throw new Error(`${name} launched with inner ${inner}`);
    const wantMax = m[1] !== "sum" && num(0) === 1;
    const op =
      m[1] === "sum" ? "sum" : m[1] === "arg" ? (wantMax ? "argmax" : "argmin") : wantMax ? "max" : "min";
    const out = cpuBackend.reduce(op, cpu(t, arr(shift, t, outer * size * inner)), outer, size, inner);
    const outT = out.dtype === "bool" ? "uint8" : out.dtype;
    store(1 + shift, outT, out);
  } else if ((m = name.match(/^softmax_(fwd|bwd)_(f32|f64)$/))) {
    const t = SUFFIX_DTYPE[m[2]];
    const k = m[1] === "fwd" ? 2 : 3;
    const [rows, cols, log, q, off] = [k, k + 1, k + 2, k + 3, k + 4].map(num);
    const spec = { rows, cols, log: log === 1, causal: q > 0 ? { queries: q, offset: off } : undefined };
    if (m[1] === "fwd") store(1, t, cpuBackend.softmax(cpu(t, arr(0, t, rows * cols)), spec));
    else
      store(
        2,
        t,
        cpuBackend.softmaxBackward(cpu(t, arr(0, t, rows * cols)), cpu(t, arr(1, t, rows * cols)), spec),
      );
  } else if ((m = name.match(/^(layer_norm|rms_norm)_(fwd|bwd_dx)_(f32|f64)$/))) {
    normKernel(m[1], m[2], SUFFIX_DTYPE[m[3]], arr, num, ptr, store, cpu);
  } else if ((m = name.match(/^norm_bwd_params_(f32|f64)$/))) {
    const t = SUFFIX_DTYPE[m[1]];
    const [rows, cols, perChunk] = [6, 7, 8].map(num);
    const chunks = grid[1];
    if (chunks * perChunk < rows)
      throw new Error(`${name}: ${chunks} chunks of ${perChunk} rows miss some of ${rows}`);
    const X = arr(0, t, rows * cols);
    const M = ptr(1) === 0n ? null : arr(1, t, rows);
    const R = arr(2, t, rows);
    const G = arr(3, t, rows * cols);
    const DW = arr(4, "float64", chunks * cols) as Float64Array;
    const DB = ptr(5) === 0n ? null : (arr(5, "float64", chunks * cols) as Float64Array);
    for (let ch = 0; ch < chunks; ch++) {
      for (let c = 0; c < cols; c++) {
        let dw = 0;
        let db = 0;
        for (let r = ch * perChunk; r < Math.min(rows, (ch + 1) * perChunk); r++) {
          const xh = M
            ? ((X[r * cols + c] as number) - (M[r] as number)) * (R[r] as number)
            : (X[r * cols + c] as number) * (R[r] as number);
          dw += (G[r * cols + c] as number) * xh;
          db += G[r * cols + c] as number;
        }
        DW[ch * cols + c] = dw;
        if (DB) DB[ch * cols + c] = db;
      }
    }
  } else {
    throw new Error(`the emulator has no model of kernel ${name}`);
  }
}

type Arr = (i: number, dtype: DType, n?: number) => TypedArray;

function indexKernel(
  mem: DeviceMemory,
  op: keyof typeof ERROR_OPS,
  valueSuffix: string,
  idxSuffix: string,
  arr: Arr,
  num: (i: number) => number,
  ptr: (i: number) => bigint,
): void {
  const t = valueSuffix.startsWith("b") ? BITS_DTYPE[valueSuffix] : SUFFIX_DTYPE[valueSuffix];
  const [outer, dim, count, inner] = [3, 4, 5, 6].map(num);
  const I = arr(1, idxSuffix === "i32" ? "int32" : "int64");
  const idxLen = op === "gather" || op === "scatter_add" ? outer * count * inner : count;
  const err = mem.array(ptr(7), "int32", 4, `${op} error word`) as Int32Array;
  const resolve = (j: number): number | null => {
    const raw = Number(I[j]);
    if (j >= idxLen) throw new Error(`${op}: index read past its ${idxLen} entries`);
    const k = raw < 0 ? raw + dim : raw;
    if (k >= 0 && k < dim) return k;
    if (err[0] === 0) err.set([1, ERROR_OPS[op], raw, dim]);
    return null;
  };
  const X = arr(op === "gather" || op === "index_select" ? 0 : 2, t) as Float64Array;
  const O = arr(op === "gather" || op === "index_select" ? 2 : 0, t) as Float64Array;
  const zero = O instanceof BigInt64Array ? 0n : 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      for (let i = 0; i < inner; i++) {
        const ij = (o * count + j) * inner + i;
        const k = resolve(op === "gather" || op === "scatter_add" ? ij : j);
        const big = k === null ? -1 : (o * dim + k) * inner + i;
        if (op === "gather" || op === "index_select") O[ij] = k === null ? (zero as never) : X[big];
        else if (k !== null) O[big] += X[ij];
      }
    }
  }
}

function normKernel(
  kind: string,
  phase: string,
  t: DType,
  arr: Arr,
  num: (i: number) => number,
  ptr: (i: number) => bigint,
  store: (i: number, dtype: DType, s: Storage) => void,
  cpu: (dtype: DType, data: TypedArray) => CpuStorage,
): void {
  const opt = (i: number, n: number) => (ptr(i) === 0n ? null : cpu(t, arr(i, t, n)));
  if (kind === "layer_norm" && phase === "fwd") {
    const [rows, cols, eps] = [6, 7, 8].map(num);
    const r = cpuBackend.layerNorm(
      cpu(t, arr(0, t, rows * cols)),
      opt(1, cols),
      opt(2, cols),
      rows,
      cols,
      eps,
    );
    store(3, t, r.y);
    store(4, t, r.mean);
    store(5, t, r.rstd);
  } else if (kind === "layer_norm") {
    const [rows, cols] = [6, 7].map(num);
    const r = cpuBackend.layerNormBackward(
      cpu(t, arr(0, t, rows * cols)),
      opt(1, cols),
      cpu(t, arr(2, t, rows)),
      cpu(t, arr(3, t, rows)),
      cpu(t, arr(4, t, rows * cols)),
      rows,
      cols,
    );
    store(5, t, r.dx);
  } else if (phase === "fwd") {
    const [rows, cols, eps] = [4, 5, 6].map(num);
    const r = cpuBackend.rmsNorm(cpu(t, arr(0, t, rows * cols)), opt(1, cols), rows, cols, eps);
    store(2, t, r.y);
    store(3, t, r.rstd);
  } else {
    const [rows, cols] = [5, 6].map(num);
    const r = cpuBackend.rmsNormBackward(
      cpu(t, arr(0, t, rows * cols)),
      opt(1, cols),
      cpu(t, arr(2, t, rows)),
      cpu(t, arr(3, t, rows * cols)),
      rows,
      cols,
    );
    store(4, t, r.dx);
  }
}
