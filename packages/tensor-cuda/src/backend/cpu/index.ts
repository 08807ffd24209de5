import { checkArrayMatches, type DType, type TypedArray } from "../../dtype.js";
import type { AdamWHyper, Backend, MatmulSpec, Storage } from "../backend.js";
import { tuneAllocator } from "./allocator.js";
import { castArray } from "./cast.js";
import { binary, clamp, powScalar, unary, unaryGrad, where } from "./elementwise.js";
import { gemm } from "./gemm.js";
import { copyInto, copyStrided, gather, indexAdd, indexSelect, scatterAdd } from "./layout.js";
import { cpuLinalg } from "./linalg/index.js";
import { layerNorm, layerNormBackward, rmsNorm, rmsNormBackward, softmax, softmaxBackward } from "./norms.js";
import { hostEmpty, hostZeros } from "./pool.js";
import { cpuQuantKernels } from "./quant/index.js";
import { reduce } from "./reduce.js";
import { CpuStorage, cpu, nums } from "./storage.js";
import { halfWeightMatmul } from "./wasm/half-matrix.js";

export { CpuStorage } from "./storage.js";

function matmul(a: Storage, b: Storage, spec: MatmulSpec, bias?: Storage | null): Storage {
  if (a.dtype !== b.dtype) throw new TypeError(`matmul: dtypes ${a.dtype} and ${b.dtype} differ`);
  if (a.dtype === "float32" || a.dtype === "float64") {
    const A = cpu(a).data as Float32Array | Float64Array;
    const out = gemm(A, cpu(b).data as typeof A, spec, bias ? (cpu(bias).data as typeof A) : null);
    return new CpuStorage(a.dtype, out);
  }
  throw new TypeError(`matmul: dtype ${a.dtype} is not supported on cpu (use float32)`);
}

function adamwStep(p: Storage, g: Storage, m: Storage, v: Storage, h: AdamWHyper): void {
  const P = nums(p);
  const G = nums(g);
  const M = nums(m);
  const V = nums(v);
  if (
    P instanceof Float32Array &&
    G instanceof Float32Array &&
    M instanceof Float32Array &&
    V instanceof Float32Array
  )
    adamw32(P, G, M, V, h);
  else adamwAny(P, G, M, V, h);
}

/*
 * The update of PyTorch's AdamW (decoupled weight decay, bias-corrected moments), hyperparameters
 * hoisted out of the loop: property loads on `h` inside it cost more than the arithmetic (20 ns
 * an element before, on the reference machine). One copy per array class keeps it monomorphic.
 */
function adamw32(P: Float32Array, G: Float32Array, M: Float32Array, V: Float32Array, h: AdamWHyper): void {
  const b1 = h.beta1;
  const b2 = h.beta2;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const stepSize = h.lr / (1 - b1 ** h.step);
  // × 1/√(1 − β₂ᵗ) where PyTorch divides: one rounding apart, and a division per element less.
  const invSqrtBc2 = 1 / Math.sqrt(1 - b2 ** h.step);
  const eps = h.eps;
  const decay = 1 - h.lr * h.weightDecay;
  const n = P.length;
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    const mi = b1 * M[i] + c1 * gi;
    const vi = b2 * V[i] + c2 * gi * gi;
    M[i] = mi;
    V[i] = vi;
    P[i] = P[i] * decay - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
  }
}

function adamwAny(
  P: ArrayLike<number> & { [i: number]: number },
  G: ArrayLike<number>,
  M: { [i: number]: number },
  V: { [i: number]: number },
  h: AdamWHyper,
): void {
  const stepSize = h.lr / (1 - h.beta1 ** h.step);
  const sqrtBc2 = Math.sqrt(1 - h.beta2 ** h.step);
  const decay = 1 - h.lr * h.weightDecay;
  for (let i = 0; i < P.length; i++) {
    const gi = G[i];
    const mi = h.beta1 * M[i] + (1 - h.beta1) * gi;
    const vi = h.beta2 * V[i] + (1 - h.beta2) * gi * gi;
    M[i] = mi;
    V[i] = vi;
    P[i] = P[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + h.eps);
  }
}

tuneAllocator();

export const cpuBackend: Backend = {
  device: "cpu",
  zeros: (dtype, n) => new CpuStorage(dtype, hostZeros(dtype, n)),
  fromArray(data: TypedArray, dtype: DType) {
    checkArrayMatches(data, dtype);
    return new CpuStorage(dtype, data);
  },
  full(dtype, n, value) {
    const a = hostEmpty<TypedArray>(dtype, n);
    if (dtype === "int64") (a as BigInt64Array).fill(BigInt(Math.trunc(value)));
    else if (dtype === "float16" || dtype === "bfloat16") {
      (a as Uint16Array).fill((castArray(Float64Array.of(value), "float64", dtype) as Uint16Array)[0]);
    } else if (dtype === "bool") (a as Uint8Array).fill(value !== 0 ? 1 : 0);
    else (a as Float32Array).fill(value);
    return new CpuStorage(dtype, a);
  },
  read: async (s) => cpu(s).data,
  readSync: (s) => cpu(s).data,
  cast: (s, to) => new CpuStorage(to, castArray(cpu(s).data, s.dtype, to)),
  unary,
  unaryGrad,
  powScalar,
  clamp,
  binary,
  where,
  reduce,
  matmul,
  copyStrided,
  copyInto,
  gather,
  scatterAdd,
  indexSelect,
  indexAdd,
  softmax,
  softmaxBackward,
  layerNorm,
  layerNormBackward,
  rmsNorm,
  rmsNormBackward,
  adamwStep,
  quant: cpuQuantKernels,
  halfWeightMatmul,
  linalg: cpuLinalg,
};
