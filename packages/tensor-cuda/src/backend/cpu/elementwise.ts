import type { BinaryOp, Storage, StridedView, UnaryGradOp, UnaryOp } from "../backend.js";
import { isContiguous } from "../strided-view.js";
import { erf, roundHalfEven } from "./math.js";
import { ORT_MIN_ELEMENTS, ortBinary, ortUnary, ortUnarySupported } from "./ort-elementwise.js";
import { hostEmpty } from "./pool.js";
import { CpuStorage, nums } from "./storage.js";

/*
 * Element-wise kernels. Each op gets its own generated loop (new Function) so V8 compiles a
 * monomorphic loop per op instead of one loop calling through a megamorphic function pointer:
 * that is the difference between ~1 and ~10 ns per element.
 */

const HELPERS = { erf, roundHalfEven };
type Helpers = typeof HELPERS;

const UNARY_EXPR: Record<UnaryOp, string> = {
  neg: "-x",
  exp: "Math.exp(x)",
  log: "Math.log(x)",
  sqrt: "Math.sqrt(x)",
  rsqrt: "1 / Math.sqrt(x)",
  abs: "Math.abs(x)",
  tanh: "Math.tanh(x)",
  sigmoid: "1 / (1 + Math.exp(-x))",
  relu: "x > 0 ? x : 0",
  gelu: "0.5 * x * (1 + h.erf(x * 0.7071067811865476))",
  // 0.5·(1 + tanh(u)) = σ(2u): one exp instead of a tanh, which V8 computes far more slowly.
  gelu_tanh: "x / (1 + Math.exp(-1.5957691216057308 * (x + 0.044715 * x * x * x)))",
  silu: "x / (1 + Math.exp(-x))",
  sin: "Math.sin(x)",
  cos: "Math.cos(x)",
  square: "x * x",
  reciprocal: "1 / x",
  sign: "Math.sign(x)",
  floor: "Math.floor(x)",
  round: "h.roundHalfEven(x)",
  logical_not: "x ? 0 : 1",
};

// Statements that set d = f'(x); the loop writes g * d. Plain statements, not closures, so the
// per-element body allocates nothing.
const GRAD_BODY: Record<UnaryGradOp, string> = {
  gelu: "d = 0.5 * (1 + h.erf(x * 0.7071067811865476)) + x * 0.3989422804014327 * Math.exp(-0.5 * x * x);",
  // With s = σ(2u) = 0.5·(1 + tanh u): 1 − tanh²u = 4s(1 − s).
  gelu_tanh:
    "const s = 1 / (1 + Math.exp(-1.5957691216057308 * (x + 0.044715 * x * x * x)));" +
    " d = s + 2 * x * s * (1 - s) * 0.7978845608028654 * (1 + 0.134145 * x * x);",
  silu: "const s = 1 / (1 + Math.exp(-x)); d = s * (1 + x * (1 - s));",
  tanh: "const t = Math.tanh(x); d = 1 - t * t;",
  sigmoid: "const s = 1 / (1 + Math.exp(-x)); d = s * (1 - s);",
};

const BINARY_EXPR: Record<BinaryOp, string> = {
  add: "a + b",
  sub: "a - b",
  mul: "a * b",
  div: "a / b",
  pow: "Math.pow(a, b)",
  maximum: "(a > b || a !== a) ? a : b",
  minimum: "(a < b || a !== a) ? a : b",
  eq: "a === b ? 1 : 0",
  ne: "a !== b ? 1 : 0",
  lt: "a < b ? 1 : 0",
  le: "a <= b ? 1 : 0",
  gt: "a > b ? 1 : 0",
  ge: "a >= b ? 1 : 0",
};

type UnaryLoop = (x: ArrayLike<number>, out: { [i: number]: number }, n: number, h: Helpers) => void;
type GradLoop = (
  x: ArrayLike<number>,
  g: ArrayLike<number>,
  out: { [i: number]: number },
  n: number,
  h: Helpers,
) => void;

/**
 * Generated loops keyed by (op, dtypes) in nested maps: a string key built per call would cost
 * more than a small op's whole loop.
 */
class LoopCache<F> {
  private readonly byOp = new Map<string, Map<string, Map<string, F>>>();
  get(op: string, a: string, b: string, make: () => F): F {
    let byA = this.byOp.get(op);
    if (!byA) this.byOp.set(op, (byA = new Map()));
    let byB = byA.get(a);
    if (!byB) byA.set(a, (byB = new Map()));
    let f = byB.get(b);
    if (!f) byB.set(b, (f = make()));
    return f;
  }
}

const unaryLoops = new LoopCache<UnaryLoop>();
const gradLoops = new LoopCache<GradLoop>();

// Loops are generated per (op, input type, output type): a loop that only ever sees one typed-array
// class keeps monomorphic element access.
function unaryLoop(op: UnaryOp, from: string, to: string): UnaryLoop {
  return unaryLoops.get(
    op,
    from,
    to,
    () =>
      new Function(
        "X",
        "O",
        "n",
        "h",
        `for (let i = 0; i < n; i++) { const x = X[i]; O[i] = ${UNARY_EXPR[op]}; }`,
      ) as UnaryLoop,
  );
}

function gradLoop(op: UnaryGradOp, x: string, g: string): GradLoop {
  return gradLoops.get(
    op,
    x,
    g,
    () =>
      new Function(
        "X",
        "G",
        "O",
        "n",
        "h",
        `for (let i = 0; i < n; i++) { const x = X[i]; let d = 0; ${GRAD_BODY[op]} O[i] = G[i] * d; }`,
      ) as GradLoop,
  );
}

export function unary(op: UnaryOp, x: Storage): Storage {
  const xs = nums(x);
  if (xs instanceof Float32Array && xs.length >= ORT_MIN_ELEMENTS && ortUnarySupported(op)) {
    return new CpuStorage("float32", ortUnary(op, xs));
  }
  const dtype = op === "logical_not" ? "bool" : x.dtype;
  const out = hostEmpty(dtype, xs.length);
  unaryLoop(op, x.dtype, dtype)(xs, out, xs.length, HELPERS);
  return new CpuStorage(dtype, out);
}

export function unaryGrad(op: UnaryGradOp, x: Storage, g: Storage): Storage {
  const xs = nums(x);
  const out = hostEmpty(x.dtype, xs.length);
  gradLoop(op, x.dtype, g.dtype)(xs, nums(g), out, xs.length, HELPERS);
  return new CpuStorage(x.dtype, out);
}

export function powScalar(x: Storage, e: number): Storage {
  const xs = nums(x);
  const out = hostEmpty(x.dtype, xs.length);
  if (e === 2) for (let i = 0; i < xs.length; i++) out[i] = xs[i] * xs[i];
  else if (e === 0.5) for (let i = 0; i < xs.length; i++) out[i] = Math.sqrt(xs[i]);
  else for (let i = 0; i < xs.length; i++) out[i] = xs[i] ** e;
  return new CpuStorage(x.dtype, out);
}

export function clamp(x: Storage, min: number, max: number): Storage {
  const xs = nums(x);
  const out = hostEmpty(x.dtype, xs.length);
  // max wins when min > max, as torch.clamp; NaN passes through.
  const lo = Math.min(min, max);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    out[i] = v > max ? max : Math.max(v, lo);
  }
  return new CpuStorage(x.dtype, out);
}

// ---- broadcasting binary ops ----

type BinaryLoop = (
  A: ArrayLike<number>,
  B: ArrayLike<number>,
  O: { [i: number]: number },
  shape: readonly number[],
  as: readonly number[],
  bs: readonly number[],
  aoff: number,
  boff: number,
) => void;

interface BinaryLoops {
  same: BinaryLoop;
  scalarB: BinaryLoop;
  scalarA: BinaryLoop;
  general: BinaryLoop;
}

// The output dtype follows from op and a's dtype, so (op, a, b) identifies a loop set.
const binaryLoops = new LoopCache<BinaryLoops>();

function binaryLoopsFor(op: BinaryOp, a: string, b: string): BinaryLoops {
  return binaryLoops.get(op, a, b, () => makeBinaryLoops(op));
}

function makeBinaryLoops(op: BinaryOp): BinaryLoops {
  const e = BINARY_EXPR[op];
  const mk = (body: string) =>
    new Function("A", "B", "O", "shape", "as", "bs", "aoff", "boff", body) as BinaryLoop;
  const n = "let n = 1; for (const d of shape) n *= d;";
  return {
    same: mk(
      `${n} for (let i = 0; i < n; i++) { const a = A[aoff + i]; const b = B[boff + i]; O[i] = ${e}; }`,
    ),
    scalarB: mk(
      `${n} const b = B[boff]; for (let i = 0; i < n; i++) { const a = A[aoff + i]; O[i] = ${e}; }`,
    ),
    scalarA: mk(
      `${n} const a = A[aoff]; for (let i = 0; i < n; i++) { const b = B[boff + i]; O[i] = ${e}; }`,
    ),
    // Odometer over all but the last axis; the last axis is a tight strided loop.
    general: mk(`
      const r = shape.length; const last = r === 0 ? 1 : shape[r - 1];
      const sa = r === 0 ? 0 : as[r - 1], sb = r === 0 ? 0 : bs[r - 1];
      let rows = 1; for (let d = 0; d < r - 1; d++) rows *= shape[d];
      const idx = new Array(Math.max(r - 1, 0)).fill(0);
      let pa = aoff, pb = boff, o = 0;
      for (let row = 0; row < rows; row++) {
        let ia = pa, ib = pb;
        for (let j = 0; j < last; j++) { const a = A[ia]; const b = B[ib]; O[o++] = ${e}; ia += sa; ib += sb; }
        for (let d = r - 2; d >= 0; d--) {
          idx[d]++; pa += as[d]; pb += bs[d];
          if (idx[d] < shape[d]) break;
          pa -= as[d] * shape[d]; pb -= bs[d] * shape[d]; idx[d] = 0;
        }
      }`),
  };
}

function isScalarView(v: StridedView): boolean {
  return v.strides.every((s, i) => s === 0 || v.shape[i] === 1);
}

export function binary(
  op: BinaryOp,
  a: Storage,
  av: StridedView,
  b: Storage,
  bv: StridedView,
  outShape: readonly number[],
): Storage {
  const A = nums(a);
  const B = nums(b);
  const compare = op === "eq" || op === "ne" || op === "lt" || op === "le" || op === "gt" || op === "ge";
  const dtype = compare ? "bool" : a.dtype;
  let n = 1;
  for (const d of outShape) n *= d;
  if (n >= ORT_MIN_ELEMENTS && A instanceof Float32Array && B instanceof Float32Array) {
    const viaOrt = ortBinary(op, A, av, B, bv, outShape);
    if (viaOrt) return new CpuStorage("float32", viaOrt);
  }
  const O = hostEmpty(dtype, n);
  const loops = binaryLoopsFor(op, a.dtype, b.dtype);
  if (isContiguous(av) && isContiguous(bv))
    loops.same(A, B, O, outShape, av.strides, bv.strides, av.offset, bv.offset);
  else if (isContiguous(av) && isScalarView(bv))
    loops.scalarB(A, B, O, outShape, av.strides, bv.strides, av.offset, bv.offset);
  else if (isScalarView(av) && isContiguous(bv))
    loops.scalarA(A, B, O, outShape, av.strides, bv.strides, av.offset, bv.offset);
  else loops.general(A, B, O, outShape, av.strides, bv.strides, av.offset, bv.offset);
  return new CpuStorage(dtype, O);
}

export function where(
  cond: Storage,
  cv: StridedView,
  a: Storage,
  av: StridedView,
  b: Storage,
  bv: StridedView,
  outShape: readonly number[],
): Storage {
  const C = nums(cond);
  const A = nums(a);
  const B = nums(b);
  const r = outShape.length;
  let n = 1;
  for (const d of outShape) n *= d;
  const O = hostEmpty(a.dtype, n);
  const step = (v: StridedView) => (isContiguous(v) ? 1 : isScalarView(v) ? 0 : -1);
  const [cs, as, bs] = [step(cv), step(av), step(bv)];
  if (cs >= 0 && as >= 0 && bs >= 0) {
    whereLoop(C, A, B, O, n, cv.offset, cs, av.offset, as, bv.offset, bs);
    return new CpuStorage(a.dtype, O);
  }
  const idx = new Array<number>(r).fill(0);
  let pc = cv.offset;
  let pa = av.offset;
  let pb = bv.offset;
  for (let o = 0; o < n; o++) {
    O[o] = C[pc] ? A[pa] : B[pb];
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      pc += cv.strides[d];
      pa += av.strides[d];
      pb += bv.strides[d];
      if (idx[d] < outShape[d]) break;
      pc -= cv.strides[d] * outShape[d];
      pa -= av.strides[d] * outShape[d];
      pb -= bv.strides[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return new CpuStorage(a.dtype, O);
}

/** The common cases (operands of the output's shape, or scalars) as one tight loop; steps are 1 or 0. */
function whereLoop(
  C: ArrayLike<number>,
  A: ArrayLike<number>,
  B: ArrayLike<number>,
  O: { [i: number]: number },
  n: number,
  co: number,
  cs: number,
  ao: number,
  as: number,
  bo: number,
  bs: number,
): void {
  for (let i = 0; i < n; i++) O[i] = C[co + i * cs] ? A[ao + i * as] : B[bo + i * bs];
}
