/*
 * Test-only helpers (not exported from the package): a finite-difference gradient check and
 * small utilities for comparing tensors with plain-JS references.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { isFloating } from "../dtype.js";
import { Generator } from "../random.js";
import { fmt } from "../shape.js";
import { Tensor } from "../tensor.js";
import "./core.js";

export interface GradcheckOptions {
  /** Central-difference step (float64). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Indices of the inputs to differentiate; default: every floating-point input. */
  wrt?: readonly number[];
  /** Seed of the fixed random weights w in loss = sum(fn(...) * w). */
  seed?: number;
}

export interface GradcheckReport {
  /** Largest |analytic - numeric| over all checked elements. */
  maxAbsError: number;
  checked: number;
}

function asFloat64(t: Tensor): Tensor {
  const arr = Float64Array.from(t.cast("float64").dataSync() as Float64Array);
  return Tensor.from(arr, t.shape, { dtype: "float64" });
}

/**
 * Compares the gradient backward() computes for loss = sum(fn(inputs) * w), w fixed random
 * weights, with central finite differences, everything in float64. Throws an Error that names
 * the input, element and both values on the first mismatch; returns the worst error otherwise.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  const wrt = opts.wrt ?? inputs.flatMap((t, i) => (isFloating(t.dtype) ? [i] : []));
  const base = inputs.map((t) => (isFloating(t.dtype) ? asFloat64(t) : t));

  const leaves = base.map((t, i) =>
    wrt.includes(i) ? Tensor.from(t.dataSync().slice(), t.shape).requiresGrad_() : t,
  );
  const out = fn(...leaves);
  if (!isFloating(out.dtype)) throw new Error(`gradcheck: fn returned a ${out.dtype} tensor`);
  const w = Tensor.randn(out.shape, { dtype: "float64", generator: new Generator(opts.seed ?? 1234) });
  out.mul(w).sum().backward();

  const loss = (xs: Tensor[]) =>
    noGrad(() =>
      fn(...xs)
        .mul(w)
        .sum()
        .item(),
    );
  let maxAbsError = 0;
  let checked = 0;
  for (const i of wrt) {
    const x = base[i];
    const analytic = leaves[i].grad;
    const data = x.dataSync() as Float64Array;
    const an = analytic
      ? (analytic.cast("float64").dataSync() as Float64Array)
      : new Float64Array(data.length);
    for (let j = 0; j < data.length; j++) {
      const probe = (delta: number) => {
        const d = data.slice();
        d[j] += delta;
        const xs = base.slice();
        xs[i] = Tensor.from(d, x.shape);
        return loss(xs);
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      const err = Math.abs(an[j] - numeric);
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new Error(
          `gradcheck: input ${i} ${fmt(x.shape)} element ${j}: analytic ${an[j]} vs numeric ${numeric} ` +
            `(|diff| ${err.toExponential(2)}; ${analytic ? "" : "backward gave no gradient; "}atol ${atol}, rtol ${rtol})`,
        );
      }
      maxAbsError = Math.max(maxAbsError, err);
      checked++;
    }
  }
  return { maxAbsError, checked };
}

/** Deterministic float64 test input: normal samples (optionally shifted away from zero). */
export function randn64(
  shape: readonly number[],
  seed: number,
  opts: { awayFromZero?: number } = {},
): Tensor {
  const t = Tensor.randn(shape, { dtype: "float64", generator: new Generator(seed) });
  const a = opts.awayFromZero ?? 0;
  if (!a) return t;
  const d = t.dataSync() as Float64Array;
  return Tensor.from(
    d.map((v) => (v >= 0 ? v + a : v - a)),
    shape,
  );
}

/** Deterministic float32 test input. */
export function randn32(shape: readonly number[], seed: number): Tensor {
  return Tensor.randn(shape, { generator: new Generator(seed) });
}

/** The elements as a plain number array (row-major). */
export function values(t: Tensor): number[] {
  return Array.from(t.cast(t.dtype === "int64" ? "int32" : t.dtype).dataSync() as ArrayLike<number>);
}

/** Throws unless |a - b| <= atol + rtol * |b| element-wise (NaN matches NaN) and shapes agree. */
export function expectClose(
  actual: Tensor,
  expected: readonly number[],
  shape: readonly number[],
  atol = 1e-5,
  rtol = 1e-5,
) {
  if (fmt(actual.shape) !== fmt(shape)) throw new Error(`shape ${fmt(actual.shape)}, expected ${fmt(shape)}`);
  const a = values(actual);
  if (a.length !== expected.length) throw new Error(`${a.length} elements, expected ${expected.length}`);
  for (let i = 0; i < a.length; i++) {
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a[i])) continue;
    if (a[i] === e) continue;
    if (!(Math.abs(a[i] - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(
        `element ${i} of ${fmt(shape)}: got ${a[i]}, expected ${e} (atol ${atol}, rtol ${rtol})`,
      );
    }
  }
}

/**
 * Runs fn's backward in float32 and in float64 on the same values and compares the gradients:
 * gradcheck works in float64, where matmul is a JS loop, so this is what exercises the float32
 * kernels' backward paths (ORT GEMMs with transposed operands, say).
 */
export function float32GradsMatch(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: { atol?: number; rtol?: number } = {},
): void {
  const atol = opts.atol ?? 1e-4;
  const rtol = opts.rtol ?? 1e-4;
  const run = (dtype: "float32" | "float64") => {
    const xs = inputs.map((t) =>
      isFloating(t.dtype) ? Tensor.from(t.cast(dtype).dataSync().slice(), t.shape).requiresGrad_() : t,
    );
    const out = fn(...xs);
    const w = Tensor.randn(out.shape, { dtype, generator: new Generator(99) });
    out.mul(w).sum().backward();
    return xs.map((x) => (x.grad ? values(x.grad) : null));
  };
  const g32 = run("float32");
  const g64 = run("float64");
  g64.forEach((g, i) => {
    if (!g) return;
    const a = g32[i];
    if (!a) throw new Error(`float32 backward gave no gradient for input ${i}`);
    for (let j = 0; j < g.length; j++) {
      if (!(Math.abs(a[j] - g[j]) <= atol + rtol * Math.abs(g[j]))) {
        throw new Error(`input ${i} element ${j}: float32 gradient ${a[j]}, float64 ${g[j]}`);
      }
    }
  });
}
