import type { BinaryOp, UnaryGradOp, UnaryOp } from "../backend/backend.js";
import { isFloating } from "../dtype.js";
import { broadcastShapes, DTypeError, fmt } from "../shape.js";
import { markNonDifferentiable, recordOp, Tensor, wrap } from "../tensor.js";
import {
  backendOf,
  broadcastView,
  computeType,
  promote,
  requireFloat,
  sameDevice,
  sumToShape,
  type TensorLike,
  toTensor,
} from "./util.js";

// ---- unary ----

// Ops whose result is not an integer for integer input: they compute in float32, as in PyTorch
// (an int32 kernel would silently truncate sqrt(2) to 1).
const FLOAT_VALUED = new Set<UnaryOp>([
  "exp",
  "log",
  "sqrt",
  "rsqrt",
  "tanh",
  "sigmoid",
  "gelu",
  "gelu_tanh",
  "silu",
  "sin",
  "cos",
  "reciprocal",
]);

function unaryRaw(op: UnaryOp, x: Tensor): Tensor {
  computeType(op, x.dtype);
  const xx = FLOAT_VALUED.has(op) && !isFloating(x.dtype) ? x.cast("float32") : x;
  return wrap(backendOf(xx).unary(op, xx.storage), x.shape);
}

function gradOf(op: UnaryGradOp, x: Tensor, g: Tensor): Tensor {
  return wrap(backendOf(x).unaryGrad(op, x.storage, g.storage), x.shape);
}

/** Unary ops with their derivative, one line each. */
const UNARY_BACKWARD: Partial<Record<UnaryOp, (x: Tensor, y: Tensor, g: Tensor) => Tensor>> = {
  neg: (_x, _y, g) => g.neg(),
  exp: (_x, y, g) => g.mul(y),
  log: (x, _y, g) => g.div(x),
  sqrt: (_x, y, g) => g.div(y.mul(2)),
  rsqrt: (_x, y, g) => g.mul(y.pow(3)).mul(-0.5),
  abs: (x, _y, g) => g.mul(unaryRaw("sign", x)),
  tanh: (x, _y, g) => gradOf("tanh", x, g),
  sigmoid: (x, _y, g) => gradOf("sigmoid", x, g),
  relu: (x, _y, g) => g.mul(x.gt(0).cast(g.dtype)),
  gelu: (x, _y, g) => gradOf("gelu", x, g),
  gelu_tanh: (x, _y, g) => gradOf("gelu_tanh", x, g),
  silu: (x, _y, g) => gradOf("silu", x, g),
  sin: (x, _y, g) => g.mul(unaryRaw("cos", x)),
  cos: (x, _y, g) => g.mul(unaryRaw("sin", x)).neg(),
  square: (x, _y, g) => g.mul(x).mul(2),
  reciprocal: (_x, y, g) => g.mul(y).mul(y).neg(),
  // Piecewise constant: zero gradient almost everywhere, as PyTorch defines them (so
  // straight-through tricks such as x + (round(x) - x).detach() work).
  sign: (_x, _y, g) => g.zerosLike(),
  floor: (_x, _y, g) => g.zerosLike(),
  round: (_x, _y, g) => g.zerosLike(),
};

export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  const y = unaryRaw(op, x);
  const back = UNARY_BACKWARD[op];
  if (!back) return markNonDifferentiable(op, [x], y);
  return recordOp(op, [x], y, (g) => [back(x, y, g)]);
}

export const neg = (x: Tensor) => unaryOp("neg", x);
export const exp = (x: Tensor) => unaryOp("exp", x);
export const log = (x: Tensor) => unaryOp("log", x);
export const sqrt = (x: Tensor) => unaryOp("sqrt", x);
export const rsqrt = (x: Tensor) => unaryOp("rsqrt", x);
export const abs = (x: Tensor) => unaryOp("abs", x);
export const tanh = (x: Tensor) => unaryOp("tanh", x);
export const sigmoid = (x: Tensor) => unaryOp("sigmoid", x);
export const relu = (x: Tensor) => unaryOp("relu", x);
export const silu = (x: Tensor) => unaryOp("silu", x);
export const sin = (x: Tensor) => unaryOp("sin", x);
export const cos = (x: Tensor) => unaryOp("cos", x);
export const square = (x: Tensor) => unaryOp("square", x);
export const reciprocal = (x: Tensor) => unaryOp("reciprocal", x);
export const sign = (x: Tensor) => unaryOp("sign", x);
export const floor = (x: Tensor) => unaryOp("floor", x);
export const round = (x: Tensor) => unaryOp("round", x);
export const logicalNot = (x: Tensor) => unaryOp("logical_not", x);

/** GELU; `approximate: "tanh"` is GPT-2's gelu_new. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  return unaryOp(approximate === "tanh" ? "gelu_tanh" : "gelu", x);
}

export function powScalar(x: Tensor, e: number): Tensor {
  computeType("pow", x.dtype);
  const y = wrap(backendOf(x).powScalar(x.storage, e), x.shape);
  return recordOp("pow", [x], y, (g) => {
    // x^0 is constant: without this case 0 * x^-1 is NaN at x = 0.
    if (e === 0) return [g.zerosLike()];
    return [e === 2 ? g.mul(x).mul(2) : g.mul(powScalar(x, e - 1)).mul(e)];
  });
}

export function clamp(x: Tensor, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): Tensor {
  computeType("clamp", x.dtype);
  const y = wrap(backendOf(x).clamp(x.storage, min, max), x.shape);
  return recordOp("clamp", [x], y, (g) => [g.mul(x.ge(min).logicalAnd(x.le(max)).cast(g.dtype))]);
}

// ---- binary, with broadcasting ----

export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  sameDevice(op, a, b);
  let dtype = promote(a.dtype, b.dtype);
  computeType(op, dtype);
  // True division, as torch.div: 7 / 2 is 3.5, not an int32 3.
  if (op === "div" && !isFloating(dtype)) dtype = "float32";
  const aa = a.dtype === dtype ? a : a.cast(dtype);
  const bb = b.dtype === dtype ? b : b.cast(dtype);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const s = backendOf(a).binary(
    op,
    aa.storage,
    broadcastView(a.shape, shape),
    bb.storage,
    broadcastView(b.shape, shape),
    shape,
  );
  releaseTemporary(aa, a);
  releaseTemporary(bb, b);
  return wrap(s, shape);
}

/**
 * Frees a temporary an op made for itself (a cast operand, a number turned into a tensor) once
 * the op is queued, unless an autograd node still reads it. Outside tidy() nothing else would
 * free it, which on a device is memory held until the process ends.
 */
function releaseTemporary(temp: Tensor, original: TensorLike): void {
  if (temp !== original && !temp.heldByGraph && !temp.persistent) temp.dispose();
}

function binary(
  op: BinaryOp,
  a: TensorLike,
  b: TensorLike,
  back?: (a: Tensor, b: Tensor, y: Tensor, g: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const ta = typeof a === "number" ? toTensor(a, b as Tensor) : a;
  const tb = toTensor(b, ta);
  const y = binaryRaw(op, ta, tb);
  const out = !back
    ? markNonDifferentiable(op, [ta, tb], y)
    : recordOp(op, [ta, tb], y, (g) => {
        const [ga, gb] = back(ta, tb, y, g);
        return [
          ga && ta.requiresGrad ? sumToShape(ga, ta.shape) : null,
          gb && tb.requiresGrad ? sumToShape(gb, tb.shape) : null,
        ];
      });
  releaseTemporary(ta, a);
  releaseTemporary(tb, b);
  return out;
}

export const add = (a: TensorLike, b: TensorLike) => binary("add", a, b, (_a, _b, _y, g) => [g, g]);
export const sub = (a: TensorLike, b: TensorLike) => binary("sub", a, b, (_a, _b, _y, g) => [g, g.neg()]);
export const mul = (a: TensorLike, b: TensorLike) =>
  binary("mul", a, b, (a, b, _y, g) => [g.mul(b), g.mul(a)]);
export const div = (a: TensorLike, b: TensorLike) =>
  binary("div", a, b, (a, b, _y, g) => [g.div(b), b.requiresGrad ? g.mul(a).div(b.mul(b)).neg() : null]);
export const pow = (a: TensorLike, b: TensorLike) =>
  typeof b === "number" && typeof a !== "number"
    ? powScalar(a, b)
    : binary("pow", a, b, (a, b, y, g) => [
        a.requiresGrad ? g.mul(b).mul(binaryRaw("pow", a, b.sub(1))) : null,
        // d(a^b)/db = a^b log a; at a = 0 (b >= 0) that is 0 * -inf: PyTorch masks it to 0.
        b.requiresGrad ? where(a.eq(0).logicalAnd(b.ge(0)), 0, g.mul(y).mul(log(a))) : null,
      ]);

/** Gradient of max/min: to the winner, split evenly on ties (as torch.maximum). */
function extremumGrad(a: Tensor, b: Tensor, g: Tensor, aWins: Tensor): [Tensor, Tensor] {
  const share = aWins.cast(g.dtype).add(a.eq(b).cast(g.dtype).mul(0.5));
  return [g.mul(share), g.mul(share.neg().add(1))];
}
export const maximum = (a: TensorLike, b: TensorLike) =>
  binary("maximum", a, b, (a, b, _y, g) => extremumGrad(a, b, g, a.gt(b)));
export const minimum = (a: TensorLike, b: TensorLike) =>
  binary("minimum", a, b, (a, b, _y, g) => extremumGrad(a, b, g, a.lt(b)));

// Comparisons return bool tensors and carry no gradient.
export const eq = (a: TensorLike, b: TensorLike) => binary("eq", a, b);
export const ne = (a: TensorLike, b: TensorLike) => binary("ne", a, b);
export const lt = (a: TensorLike, b: TensorLike) => binary("lt", a, b);
export const le = (a: TensorLike, b: TensorLike) => binary("le", a, b);
export const gt = (a: TensorLike, b: TensorLike) => binary("gt", a, b);
export const ge = (a: TensorLike, b: TensorLike) => binary("ge", a, b);
export const logicalAnd = (a: Tensor, b: Tensor) =>
  markNonDifferentiable("logical_and", [a, b], binaryRaw("mul", a.cast("bool"), b.cast("bool")).cast("bool"));
export const logicalOr = (a: Tensor, b: Tensor) =>
  markNonDifferentiable(
    "logical_or",
    [a, b],
    binaryRaw("maximum", a.cast("bool"), b.cast("bool")).cast("bool"),
  );

/** Elements of a where cond holds, else of b (all three broadcast). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const like =
    typeof a !== "number" ? a : typeof b !== "number" ? b : Tensor.scalar(0, { device: cond.device });
  const ta = toTensor(a, like);
  const tb = toTensor(b, like);
  sameDevice("where", cond, ta, tb);
  if (ta.dtype !== tb.dtype) {
    throw new DTypeError(
      `where: branch a is ${ta.dtype} ${fmt(ta.shape)}, branch b is ${tb.dtype} ${fmt(tb.shape)}; cast one to match`,
    );
  }
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, ta.shape), tb.shape);
  const c = cond.dtype === "bool" || cond.dtype === "uint8" ? cond : cond.cast("bool");
  const y = wrap(
    backendOf(ta).where(
      c.storage,
      broadcastView(c.shape, shape),
      ta.storage,
      broadcastView(ta.shape, shape),
      tb.storage,
      broadcastView(tb.shape, shape),
      shape,
    ),
    shape,
  );
  const out = recordOp(
    "where",
    [ta, tb],
    y,
    (g) => {
      const zero = Tensor.scalar(0, { dtype: g.dtype, device: g.device });
      return [
        ta.requiresGrad ? sumToShape(where(c, g, zero), ta.shape) : null,
        tb.requiresGrad ? sumToShape(where(c, zero, g), tb.shape) : null,
      ];
    },
    [c],
  );
  releaseTemporary(ta, a);
  releaseTemporary(tb, b);
  releaseTemporary(c, cond);
  if (like !== a && like !== b) releaseTemporary(like, a);
  return out;
}

export { requireFloat };
