import type { DType } from "../../../../dtype.js";
import {
  BITS_DTYPE,
  contiguousView,
  invert,
  ixView,
  type KernelModel,
  kernelArgs,
  noModel,
  offsetOf,
  SUFFIX_DTYPE,
} from "../../../../testing/cuda/emulator/kernel-model.js";
import type { UnaryGradOp, UnaryOp } from "../../../backend.js";
import { castArray } from "../../../cpu/cast.js";
import { cpuBackend } from "../../../cpu/index.js";
import type { CpuStorage } from "../../../cpu/storage.js";
import { BINARY_CODES, DTYPE_CODES, UNARY_CODES, UNARY_GRAD_CODES } from "./elementwise.abi.js";

/*
 * A JavaScript model of elementwise.cu for the emulated device (test-only), written from the
 * contract in elementwise.abi.ts. Arithmetic goes through the CPU backend wherever it has the
 * same primitive, so the emulated CUDA backend must agree with the CPU backend exactly when its
 * host code is right.
 */

const UNARY_NAMES = invert(UNARY_CODES) as Record<number, UnaryOp>;
const GRAD_NAMES = invert(UNARY_GRAD_CODES) as Record<number, UnaryGradOp>;
const BINARY_NAMES = invert(BINARY_CODES) as Record<number, keyof typeof BINARY_CODES>;
const DTYPE_NAMES = invert(DTYPE_CODES) as Record<number, DType>;

export const elementwiseModel: KernelModel = (mem, name, args) => {
  const { a, num, ix, arr, store, cpu } = kernelArgs(mem, name, args);
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
  } else {
    noModel(name);
  }
};
