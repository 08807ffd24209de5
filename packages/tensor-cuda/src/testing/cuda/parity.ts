import { DTYPES, type DType, type TypedArray } from "../../dtype.js";
import {
  argmax,
  argmin,
  cat,
  causalSoftmax,
  crossEntropy,
  embedding,
  gather,
  gelu,
  indexSelect,
  layerNorm,
  linear,
  logSoftmax,
  logsumexp,
  matmul,
  matmulNT,
  max,
  mean,
  min,
  rmsNorm,
  rope,
  ropeTables,
  scaledDotProductAttention,
  scatterAdd,
  slice,
  softmax,
  sum,
  variance,
  where,
} from "../../ops/index.js";
import { AdamW } from "../../optim/adamw.js";
import { Generator } from "../../random.js";
import { Tensor } from "../../tensor.js";
import type { Device } from "../backend.js";

/*
 * Cases that run the same computation on the CPU and on "cuda" and compare every output and
 * gradient. They run against the emulated device everywhere (checking the CUDA backend's host
 * code) and against a real GPU where one exists (checking the kernels too).
 */

export interface ParityCase {
  name: string;
  /** Returns the tensors to compare (forward outputs and gradients), all on `device`. */
  run(device: Device): Tensor[];
  atol?: number;
  rtol?: number;
}

/** A random tensor made on the CPU from `seed` and moved to `device`, the same on every device. */
export function input(
  device: Device,
  shape: number[],
  seed: number,
  opts: { dtype?: DType; grad?: boolean; scale?: number; shift?: number } = {},
): Tensor {
  const g = new Generator(seed);
  let t = Tensor.randn(shape, { generator: g, dtype: opts.dtype === "float64" ? "float64" : undefined });
  if (opts.scale !== undefined || opts.shift !== undefined) t = t.mul(opts.scale ?? 1).add(opts.shift ?? 0);
  if (opts.dtype && opts.dtype !== t.dtype) t = t.cast(opts.dtype);
  t = t.to(device);
  return opts.grad ? t.requiresGrad_() : t;
}

function ints(device: Device, values: number[], shape: number[], dtype: DType = "int32"): Tensor {
  const arr = dtype === "int64" ? BigInt64Array.from(values.map(BigInt)) : Int32Array.from(values);
  return Tensor.from(arr, shape, { dtype }).to(device);
}

/** loss = Σ y·w for fixed random w, then backward: every gradient path is exercised. */
function backward(y: Tensor, seed: number): void {
  const w = input(y.device, [...y.shape], seed, { dtype: y.dtype });
  y.mul(w).sum().backward();
}

function withGrads(outs: Tensor[], leaves: Tensor[], seed = 99): Tensor[] {
  backward(outs[0], seed);
  return [...outs, ...leaves.map((l) => l.grad as Tensor)];
}

const UNARY_FLOAT = [
  "neg",
  "exp",
  "abs",
  "tanh",
  "sigmoid",
  "relu",
  "silu",
  "sin",
  "cos",
  "square",
  "sign",
  "floor",
  "round",
] as const;

export function parityCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  const add = (name: string, run: (d: Device) => Tensor[], tol: Partial<ParityCase> = {}) =>
    cases.push({ name, run, ...tol });

  for (const op of UNARY_FLOAT) {
    add(`unary ${op}`, (d) => [(input(d, [3, 70], 1, { scale: 3 }) as any)[op]()]);
  }
  add("unary log, sqrt, rsqrt, reciprocal on positives", (d) => {
    const x = input(d, [5, 9], 2).abs().add(0.1);
    return [x.log(), x.sqrt(), x.rsqrt(), x.reciprocal()];
  });
  add("logical_not of floats (NaN included), ints and bools", (d) => {
    const x = input(d, [40], 3).round();
    const nan = Tensor.from(Float32Array.of(Number.NaN, 0, 1), [3]).to(d);
    return [x.logicalNot(), x.gt(0).logicalNot(), nan.logicalNot(), x.cast("int32").logicalNot()];
  });
  add("gelu (erf and tanh) with gradients", (d) => {
    const x = input(d, [6, 33], 4, { grad: true, scale: 2 });
    const y = gelu(x).add(gelu(x, "tanh"));
    return withGrads([y], [x]);
  });
  add("silu, tanh, sigmoid gradients", (d) => {
    const x = input(d, [300], 5, { grad: true, scale: 2 });
    return withGrads([x.silu().add(x.tanh()).add(x.sigmoid())], [x]);
  });
  add("pow by scalars and clamp", (d) => {
    const x = input(d, [50], 6).abs().add(0.5);
    return [x.pow(2), x.pow(0.5), x.pow(-1.5), x.clamp(0.7, 1.3)];
  });

  add("broadcast binary ops [4,1,5] ∘ [3,1]", (d) => {
    const a = input(d, [4, 1, 5], 7);
    const b = input(d, [3, 1], 8).abs().add(0.5);
    return [a.add(b), a.sub(b), a.mul(b), a.div(b), b.pow(a), a.maximum(b), a.minimum(b)];
  });
  add("comparisons write bools", (d) => {
    const a = input(d, [6, 7], 9).round();
    const b = input(d, [7], 10).round();
    return [a.eq(b), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b)];
  });
  add("binary ops on a transposed operand and with scalars", (d) => {
    const a = input(d, [5, 8], 11);
    const b = input(d, [8, 5], 12).transpose(0, 1);
    return [a.add(b), a.mul(2.5), Tensor.scalar(3, { device: d }).sub(a)];
  });
  add("int32 arithmetic (division truncates, by zero gives 0)", (d) => {
    const a = ints(d, [7, -7, 9, 0, 5, 100], [6]);
    const b = ints(d, [2, 2, -4, 3, 0, 7], [6]);
    return [a.add(b), a.sub(b), a.mul(b), a.div(b), a.maximum(b)];
  });
  add("broadcast gradients reduce back to the operand shapes", (d) => {
    const a = input(d, [4, 1, 5], 13, { grad: true });
    const b = input(d, [3, 1], 14, { grad: true });
    return withGrads([a.mul(b).add(a.div(b.abs().add(1)))], [a, b]);
  });
  add("where with a broadcast condition", (d) => {
    const c = input(d, [4, 1], 15).gt(0);
    const a = input(d, [4, 6], 16, { grad: true });
    const b = input(d, [6], 17, { grad: true });
    return withGrads([where(c, a, b)], [a, b]);
  });

  add("casts between every storage type", (d) => {
    const x = input(d, [64], 18, { scale: 100 });
    return [
      x.cast("float16").cast("float32"),
      x.cast("bfloat16").cast("float32"),
      x.cast("int32"),
      x.cast("int8").cast("int32"),
      x.cast("uint8").cast("int32"),
      x.cast("bool"),
      x.cast("float64"),
      x.cast("int64").cast("float32"),
      x.cast("int32").cast("float64"),
    ];
  });
  add("full and zeros of every dtype", (d) => {
    const out: Tensor[] = [];
    for (const dtype of DTYPES) {
      out.push(Tensor.full([3, 5], -2.75, { dtype, device: d }).cast("float64"));
      out.push(Tensor.zeros([7], { dtype, device: d }).cast("float64"));
    }
    return out;
  });

  add("sum, mean, variance over rows and columns", (d) => {
    const x = input(d, [7, 300], 19, { grad: true });
    return withGrads([sum(x, 1), sum(x, 0), mean(x), variance(x, 1), logsumexp(x, 1)], [x]);
  });
  add("max, min, argmax, argmin with ties and NaN", (d) => {
    const vals = [1, 3, 3, -2, Number.NaN, 5, 0, 0, -1, 4, Number.NaN, Number.NaN];
    const x = Tensor.from(Float32Array.from(vals), [3, 4]).to(d);
    return [max(x, 1), min(x, 1), argmax(x, 1), argmin(x, 1), max(x, 0), argmax(x, 0), argmin(x, 0)];
  });
  add("long reductions (split into chunks on the GPU): bias-gradient shape and full sums", (d) => {
    const x = input(d, [1024, 96], 65, { grad: true });
    const flat = input(d, [70_000], 66);
    return withGrads([sum(x, 0)], [x]).concat([max(x, 0), min(x, 0), sum(flat), max(flat), flat.gt(0).sum()]);
  });
  add("sums of bools count into int32", (d) => {
    const x = input(d, [5, 600], 20).gt(0);
    return [sum(x, 1), sum(x, 0), sum(x)];
  });

  add("matmul, batched with a shared operand, and matmulNT", (d) => {
    const a = input(d, [2, 5, 7], 21, { grad: true });
    const b = input(d, [7, 3], 22, { grad: true });
    const c = input(d, [4, 7], 23, { grad: true });
    return withGrads([matmul(a, b).sum(-1).add(matmulNT(a, c).sum(-1))], [a, b, c]);
  });
  add("linear with bias, forward and backward", (d) => {
    const x = input(d, [3, 4, 16], 24, { grad: true });
    const w = input(d, [10, 16], 25, { grad: true, scale: 0.25 });
    const bias = input(d, [10], 26, { grad: true });
    return withGrads([linear(x, w, bias)], [x, w, bias]);
  });
  add(
    "float64 matmul",
    (d) => {
      const a = input(d, [9, 13], 27, { dtype: "float64" });
      const b = input(d, [13, 6], 28, { dtype: "float64" });
      return [matmul(a, b), matmul(b.transpose(0, 1), a.transpose(0, 1))];
    },
    { atol: 1e-12, rtol: 1e-12 },
  );

  add("permute, slice with a step, expand, cat, split gradients", (d) => {
    const x = input(d, [3, 4, 5], 29, { grad: true });
    const p = x.permute([2, 0, 1]).contiguous();
    const s = slice(x, 2, 1, 5, 2).contiguous();
    const e = x.sum(2, true).expand([3, 4, 6]).contiguous();
    const c = cat([x, x.mul(2)], 1);
    return withGrads([c], [x]).concat([p, s, e]);
  });

  add("gather, scatterAdd, indexSelect (int32 and int64, negative indices)", (d) => {
    const x = input(d, [4, 6], 30, { grad: true });
    const gi = ints(d, [0, 5, -1, 2, 3, 3, 1, 0], [4, 2], "int64");
    const g = gather(x, 1, gi);
    const si = ints(d, [1, 1, 0, 2, 2, 0, 3, 3, 1, 0, 0, 0], [2, 6]);
    const base = input(d, [4, 6], 31);
    const src = input(d, [2, 6], 32);
    const sa = scatterAdd(base, 0, si, src);
    const ii = ints(d, [2, 0, 2, -1], [4]);
    const sel = indexSelect(x, 0, ii);
    return withGrads([g.sum(1).add(sel.sum(1))], [x]).concat([sa, sel]);
  });
  add("embedding forward and backward (index-add)", (d) => {
    const w = input(d, [11, 8], 33, { grad: true });
    const ids = ints(d, [3, 3, 0, 10, 7, 3], [2, 3]);
    return withGrads([embedding(w, ids)], [w]);
  });

  add("softmax and log-softmax with gradients", (d) => {
    const x = input(d, [6, 77], 34, { grad: true, scale: 3 });
    return withGrads([softmax(x, -1).add(logSoftmax(x, -1).mul(0.1))], [x]);
  });
  add("causal softmax after a KV cache (offset)", (d) => {
    const x = input(d, [2, 3, 5, 9], 35, { grad: true });
    return withGrads([causalSoftmax(x, 4)], [x]);
  });
  add("cross-entropy with ignored targets and label smoothing", (d) => {
    const logits = input(d, [2, 5, 13], 36, { grad: true, scale: 2 });
    const t = ints(d, [1, 12, -100, 0, 5, 7, 7, -100, 3, 2], [2, 5]);
    const loss = crossEntropy(logits, t, { labelSmoothing: 0.1 });
    loss.backward();
    return [loss, logits.grad as Tensor];
  });
  add("layer norm with and without affine parameters", (d) => {
    const x = input(d, [5, 3, 48], 37, { grad: true, scale: 2, shift: 1 });
    const w = input(d, [48], 38, { grad: true });
    const b = input(d, [48], 39, { grad: true });
    return withGrads([layerNorm(x, w, b).add(layerNorm(x, null, null))], [x, w, b]);
  });
  add("RMS norm with and without a weight", (d) => {
    const x = input(d, [7, 64], 40, { grad: true });
    const w = input(d, [64], 41, { grad: true });
    return withGrads([rmsNorm(x, w).add(rmsNorm(x, null))], [x, w]);
  });
  add(
    "layer norm and softmax in float64",
    (d) => {
      const x = input(d, [4, 20], 42, { grad: true, dtype: "float64" });
      return withGrads([layerNorm(x).add(softmax(x, -1))], [x]);
    },
    { atol: 1e-12, rtol: 1e-10 },
  );
  add("causal grouped-query attention with RoPE", (d) => {
    const q = input(d, [1, 4, 6, 8], 43, { grad: true });
    const k = input(d, [1, 2, 6, 8], 44, { grad: true });
    const v = input(d, [1, 2, 6, 8], 45, { grad: true });
    const { cos, sin } = ropeTables(6, 8);
    const qr = rope(q, cos.to(d), sin.to(d));
    const kr = rope(k, cos.to(d), sin.to(d));
    return withGrads([scaledDotProductAttention(qr, kr, v, { causal: true })], [q, k, v]);
  });
  add("attention without a causal mask, S ≠ T, head dim 40", (d) => {
    const q = input(d, [2, 3, 5, 40], 50, { grad: true });
    const k = input(d, [2, 3, 11, 40], 51, { grad: true });
    const v = input(d, [2, 3, 11, 40], 52, { grad: true });
    return withGrads([scaledDotProductAttention(q, k, v)], [q, k, v]);
  });
  add("causal attention after a KV cache (T 3 of S 9), GQA 4:1", (d) => {
    const q = input(d, [1, 4, 3, 16], 53, { grad: true });
    const k = input(d, [1, 1, 9, 16], 54, { grad: true });
    const v = input(d, [1, 1, 9, 16], 55, { grad: true });
    return withGrads([scaledDotProductAttention(q, k, v, { causal: true, scale: 0.3 })], [q, k, v]);
  });
  add("causal attention with more queries than keys (rows that see nothing)", (d) => {
    const q = input(d, [1, 2, 5, 8], 56, { grad: true });
    const k = input(d, [1, 2, 3, 8], 57, { grad: true });
    const v = input(d, [1, 2, 3, 8], 58, { grad: true });
    return withGrads([scaledDotProductAttention(q, k, v, { causal: true })], [q, k, v]);
  });
  add(
    "attention in float64",
    (d) => {
      const q = input(d, [1, 2, 7, 12], 59, { grad: true, dtype: "float64" });
      const k = input(d, [1, 2, 7, 12], 60, { grad: true, dtype: "float64" });
      const v = input(d, [1, 2, 7, 12], 61, { grad: true, dtype: "float64" });
      return withGrads([scaledDotProductAttention(q, k, v, { causal: true })], [q, k, v]);
    },
    { atol: 1e-12, rtol: 1e-10 },
  );
  add("cross-entropy over 1000 classes, sum and none reductions", (d) => {
    const logits = input(d, [6, 1000], 62, { grad: true, scale: 3 });
    const t = ints(d, [5, 999, 0, -100, 512, 7], [6]);
    const none = crossEntropy(logits, t, { reduction: "none", labelSmoothing: 0.05 });
    const total = crossEntropy(logits, t, { reduction: "sum" });
    return withGrads([none.add(total)], [logits]);
  });
  add(
    "cross-entropy in float64",
    (d) => {
      const logits = input(d, [4, 9], 63, { grad: true, dtype: "float64" });
      const loss = crossEntropy(logits, ints(d, [8, 0, 3, 3], [4]));
      loss.backward();
      return [loss, logits.grad as Tensor];
    },
    { atol: 1e-12, rtol: 1e-10 },
  );
  add("RoPE on [B, H, T, D] with its gradient", (d) => {
    const x = input(d, [2, 3, 7, 10], 64, { grad: true });
    const { cos, sin } = ropeTables(7, 10, 500);
    return withGrads([rope(x, cos.to(d), sin.to(d))], [x]);
  });
  add("AdamW: three steps with weight decay", (d) => {
    const p = input(d, [6, 5], 46, { grad: true });
    const opt = new AdamW([p], { lr: 0.01, weightDecay: 0.1 });
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      p.mul(p)
        .mul(input(d, [6, 5], 47 + step))
        .sum()
        .backward();
      opt.step();
    }
    return [p.detach()];
  });
  return cases;
}

/** Host copies as float64 (int64 through Number, bools as 0/1) for comparison. */
export async function hostValues(t: Tensor): Promise<Float64Array> {
  const d: TypedArray = await t.data();
  if (d instanceof BigInt64Array) return Float64Array.from(d, Number);
  if (t.dtype === "float16" || t.dtype === "bfloat16") return hostValues(t.cast("float32"));
  return Float64Array.from(d as Float32Array);
}

/** The first element where |a − b| > atol + rtol·|b| (NaNs must match), or null. */
export function firstMismatch(
  a: Float64Array,
  b: Float64Array,
  atol: number,
  rtol: number,
): { index: number; got: number; want: number } | null {
  if (a.length !== b.length) return { index: -1, got: a.length, want: b.length };
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return { index: i, got: x, want: y };
      continue;
    }
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return { index: i, got: x, want: y };
  }
  return null;
}

/** Runs one case on the CPU and on `device`; throws an Error naming the output and element that differ. */
export async function checkParity(c: ParityCase, device: Device): Promise<number> {
  const want = c.run("cpu");
  const got = c.run(device);
  if (want.length !== got.length)
    throw new Error(`${c.name}: ${got.length} outputs on ${device}, ${want.length} on cpu`);
  let compared = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i].device !== device)
      throw new Error(`${c.name}: output ${i} is on ${got[i].device}, not ${device}`);
    if (got[i].dtype !== want[i].dtype) {
      throw new Error(`${c.name}: output ${i} is ${got[i].dtype} on ${device}, ${want[i].dtype} on cpu`);
    }
    const a = await hostValues(got[i]);
    const b = await hostValues(want[i]);
    const tol = got[i].dtype === "float64" ? { atol: 1e-10, rtol: 1e-9 } : { atol: 1e-5, rtol: 1e-4 };
    const bad = firstMismatch(a, b, c.atol ?? tol.atol, c.rtol ?? tol.rtol);
    if (bad) {
      throw new Error(
        `${c.name}: output ${i} (${got[i].dtype} [${got[i].shape}]) differs at element ${bad.index}: ${device} ${bad.got}, cpu ${bad.want}`,
      );
    }
    compared += a.length;
  }
  return compared;
}
