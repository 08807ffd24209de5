import type { SoftmaxSpec, Storage } from "../backend.js";
import { ORT_MIN_ELEMENTS, ortSoftmax, ortSoftmaxEnabled } from "./ort-elementwise.js";
import { hostEmpty, hostZeros } from "./pool.js";
import { CpuStorage, nums } from "./storage.js";

/** Keys row r may attend to: all of them, or a causal prefix. */
function visible(spec: SoftmaxSpec, r: number): number {
  if (!spec.causal) return spec.cols;
  return Math.max(0, Math.min(spec.cols, (r % spec.causal.queries) + spec.causal.offset + 1));
}

export function softmax(x: Storage, spec: SoftmaxSpec): Storage {
  const X = nums(x);
  const { rows, cols, log } = spec;
  if (X instanceof Float32Array && rows * cols >= ORT_MIN_ELEMENTS && ortSoftmaxEnabled()) {
    let input = X;
    if (spec.causal) {
      // Masked keys become −∞ before the (multi-threaded) ORT softmax: they come out 0 (−∞ for
      // log-softmax), as the TypeScript kernel writes them.
      input = X.slice();
      for (let r = 0; r < rows; r++)
        input.fill(Number.NEGATIVE_INFINITY, r * cols + visible(spec, r), (r + 1) * cols);
    }
    return new CpuStorage("float32", ortSoftmax(input, rows, cols, log));
  }
  const O = hostZeros(x.dtype, rows * cols) as Float32Array;
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    const lim = visible(spec, r);
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < lim; j++) if (X[b + j] > mx) mx = X[b + j];
    if (mx === Number.NEGATIVE_INFINITY) mx = 0;
    let s = 0;
    if (log) {
      for (let j = 0; j < lim; j++) s += Math.exp(X[b + j] - mx);
      const lse = mx + Math.log(s);
      for (let j = 0; j < lim; j++) O[b + j] = X[b + j] - lse;
      for (let j = lim; j < cols; j++) O[b + j] = Number.NEGATIVE_INFINITY;
    } else {
      // exp once per element (it dominates the cost): keep it in the output, then normalise.
      for (let j = 0; j < lim; j++) {
        const e = Math.exp(X[b + j] - mx);
        O[b + j] = e;
        s += e;
      }
      const inv = 1 / s;
      for (let j = 0; j < lim; j++) O[b + j] *= inv;
    }
  }
  return new CpuStorage(x.dtype, O);
}

export function softmaxBackward(y: Storage, g: Storage, spec: SoftmaxSpec): Storage {
  const Y = nums(y);
  const G = nums(g);
  const { rows, cols, log } = spec;
  const O = hostZeros(y.dtype, rows * cols) as Float32Array;
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    const lim = visible(spec, r);
    let s = 0;
    if (log) {
      for (let j = 0; j < lim; j++) s += G[b + j];
      for (let j = 0; j < lim; j++) O[b + j] = G[b + j] - Math.exp(Y[b + j]) * s;
    } else {
      for (let j = 0; j < lim; j++) s += G[b + j] * Y[b + j];
      for (let j = 0; j < lim; j++) O[b + j] = Y[b + j] * (G[b + j] - s);
    }
  }
  return new CpuStorage(y.dtype, O);
}

export function layerNorm(
  x: Storage,
  w: Storage | null,
  bias: Storage | null,
  rows: number,
  cols: number,
  eps: number,
) {
  const X = nums(x);
  const W = w ? nums(w) : null;
  const B = bias ? nums(bias) : null;
  const Y = hostZeros(x.dtype, rows * cols) as Float32Array;
  // Statistics in the input's dtype: float32 copies would cost a float64 reference its precision.
  const mean = hostZeros(x.dtype, rows) as Float32Array;
  const rstd = hostZeros(x.dtype, rows) as Float32Array;
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += X[b + j];
    const mu = s / cols;
    let v = 0;
    for (let j = 0; j < cols; j++) {
      const d = X[b + j] - mu;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / cols + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let j = 0; j < cols; j++) {
      let o = (X[b + j] - mu) * rs;
      if (W) o *= W[j];
      if (B) o += B[j];
      Y[b + j] = o;
    }
  }
  return {
    y: new CpuStorage(x.dtype, Y),
    mean: new CpuStorage(x.dtype, mean),
    rstd: new CpuStorage(x.dtype, rstd),
  };
}

export function layerNormBackward(
  x: Storage,
  w: Storage | null,
  mean: Storage,
  rstd: Storage,
  g: Storage,
  rows: number,
  cols: number,
) {
  const X = nums(x);
  const W = w ? nums(w) : null;
  const M = nums(mean);
  const R = nums(rstd);
  const G = nums(g);
  const dX = hostZeros(x.dtype, rows * cols) as Float32Array;
  const dW = new Float64Array(cols);
  const dB = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    const mu = M[r];
    const rs = R[r];
    let sumD = 0;
    let sumDX = 0;
    for (let j = 0; j < cols; j++) {
      const xh = (X[b + j] - mu) * rs;
      const gj = G[b + j];
      const d = W ? gj * W[j] : gj;
      sumD += d;
      sumDX += d * xh;
      dW[j] += gj * xh;
      dB[j] += gj;
    }
    sumD /= cols;
    sumDX /= cols;
    for (let j = 0; j < cols; j++) {
      const xh = (X[b + j] - mu) * rs;
      const d = W ? G[b + j] * W[j] : G[b + j];
      dX[b + j] = rs * (d - sumD - xh * sumDX);
    }
  }
  return {
    dx: new CpuStorage(x.dtype, dX),
    dweight: w ? new CpuStorage(w.dtype, allocArrayFrom(w.dtype, dW)) : null,
    dbias: new CpuStorage(x.dtype, allocArrayFrom(x.dtype, dB)),
  };
}

export function rmsNorm(x: Storage, w: Storage | null, rows: number, cols: number, eps: number) {
  const X = nums(x);
  const W = w ? nums(w) : null;
  if (X instanceof Float32Array && (W === null || W instanceof Float32Array))
    return rmsNorm32(X, W, rows, cols, eps);
  const Y = hostEmpty(x.dtype, rows * cols) as Float32Array;
  const rstd = hostEmpty(x.dtype, rows) as Float32Array;
  // float64 (finite differences): no rounding to float32, which would make the function a
  // staircase that finite differences cannot see through.
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += X[b + j] * X[b + j];
    const rs = 1 / Math.sqrt(s / cols + eps);
    rstd[r] = rs;
    if (W) for (let j = 0; j < cols; j++) Y[b + j] = X[b + j] * rs * W[j];
    else for (let j = 0; j < cols; j++) Y[b + j] = X[b + j] * rs;
  }
  return { y: new CpuStorage(x.dtype, Y), rstd: new CpuStorage(x.dtype, rstd) };
}

/**
 * The float32 case on its own, monomorphic: HF rounds x · rstd to the activation dtype before
 * the weight multiply, and so do we (bit-compatible).
 */
function rmsNorm32(X: Float32Array, W: Float32Array | null, rows: number, cols: number, eps: number) {
  const Y = hostEmpty("float32", rows * cols);
  const rstd = hostEmpty("float32", rows);
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    let s0 = 0;
    let s1 = 0;
    let j = 0;
    for (; j + 1 < cols; j += 2) {
      s0 += X[b + j] * X[b + j];
      s1 += X[b + j + 1] * X[b + j + 1];
    }
    if (j < cols) s0 += X[b + j] * X[b + j];
    const rs = 1 / Math.sqrt((s0 + s1) / cols + eps);
    rstd[r] = rs;
    if (W) for (let k = 0; k < cols; k++) Y[b + k] = Math.fround(X[b + k] * rs) * W[k];
    else for (let k = 0; k < cols; k++) Y[b + k] = X[b + k] * rs;
  }
  return { y: new CpuStorage("float32", Y), rstd: new CpuStorage("float32", rstd) };
}

export function rmsNormBackward(
  x: Storage,
  w: Storage | null,
  rstd: Storage,
  g: Storage,
  rows: number,
  cols: number,
) {
  const X = nums(x);
  const W = w ? nums(w) : null;
  const R = nums(rstd);
  const G = nums(g);
  const dX = hostZeros(x.dtype, rows * cols) as Float32Array;
  const dW = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    const rs = R[r];
    let sumDX = 0;
    for (let j = 0; j < cols; j++) {
      const xh = X[b + j] * rs;
      const d = W ? G[b + j] * W[j] : G[b + j];
      sumDX += d * xh;
      dW[j] += G[b + j] * xh;
    }
    sumDX /= cols;
    for (let j = 0; j < cols; j++) {
      const xh = X[b + j] * rs;
      const d = W ? G[b + j] * W[j] : G[b + j];
      dX[b + j] = rs * (d - xh * sumDX);
    }
  }
  return {
    dx: new CpuStorage(x.dtype, dX),
    dweight: w ? new CpuStorage(w.dtype, allocArrayFrom(w.dtype, dW)) : null,
  };
}

function allocArrayFrom(dtype: "float32" | "float64" | string, src: Float64Array) {
  return dtype === "float64" ? src : Float32Array.from(src);
}
