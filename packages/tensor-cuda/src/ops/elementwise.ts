import type { BinaryOp, UnaryGradOp, UnaryOp } from "../backend/backend.js";
import { broadcastShapes, fmt } from "../shape.js";
import { Tensor, recordOp, wrap } from "../tensor.js";
import {
  type TensorLike,
  backendOf,
  broadcastView,
  computeType,
  promote,
  requireFloat,
  sameDevice,
  sumToShape,
  toTensor,
} from "./util.js";

// ---- unary ----

function unaryRaw(op: UnaryOp, x: Tensor): Tensor {
  computeType(op, x.dtype);
  return wrap(backendOf(x).unary(op, x.storage), x.shape);
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
};

export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  const y = unaryRaw(op, x);
  const back = UNARY_BACKWARD[op];
  if (!back) return y;
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
  return recordOp("pow", [x], y, (g) => [e === 2 ? g.mul(x).mul(2) : g.mul(powScalar(x, e - 1)).mul(e)]);
}

export function clamp(x: Tensor, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): Tensor {
  computeType("clamp", x.dtype);
  const y = wrap(backendOf(x).clamp(x.storage, min, max), x.shape);
  return recordOp("clamp", [x], y, (g) => [g.mul(x.ge(min).logicalAnd(x.le(max)).cast(g.dtype))]);
}

// ---- binary, with broadcasting ----

export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  sameDevice(op, a, b);
  const dtype = promote(a.dtype, b.dtype);
  computeType(op, dtype);
  const aa = a.dtype === dtype ? a : a.cast(dtype);
  const bb = b.dtype === dtype ? b : b.cast(dtype);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const s = backendOf(a).binary(op, aa.storage, broadcastView(a.shape, shape), bb.storage, broadcastView(b.shape, shape), shape);
  return wrap(s, shape);
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
  if (!back) return y;
  return recordOp(op, [ta, tb], y, (g) => {
    const [ga, gb] = back(ta, tb, y, g);
    return [ga && ta.requiresGrad ? sumToShape(ga, ta.shape) : null, gb && tb.requiresGrad ? sumToShape(gb, tb.shape) : null];
  });
}

export const add = (a: TensorLike, b: TensorLike) => binary("add", a, b, (_a, _b, _y, g) => [g, g]);
export const sub = (a: TensorLike, b: TensorLike) => binary("sub", a, b, (_a, _b, _y, g) => [g, g.neg()]);
export const mul = (a: TensorLike, b: TensorLike) => binary("mul", a, b, (a, b, _y, g) => [g.mul(b), g.mul(a)]);
export const div = (a: TensorLike, b: TensorLike) =>
  binary("div", a, b, (a, b, _y, g) => [g.div(b), b.requiresGrad ? g.mul(a).div(b.mul(b)).neg() : null]);
export const pow = (a: TensorLike, b: TensorLike) =>
  typeof b === "number" && typeof a !== "number"
    ? powScalar(a, b)
    : binary("pow", a, b, (a, b, y, g) => [
        a.requiresGrad ? g.mul(b).mul(binaryRaw("pow", a, b.sub(1))) : null,
        b.requiresGrad ? g.mul(y).mul(log(a)) : null,
      ]);
export const maximum = (a: TensorLike, b: TensorLike) =>
  binary("maximum", a, b, (a, b, _y, g) => {
    const m = a.ge(b).cast(g.dtype);
    return [g.mul(m), g.mul(m.neg().add(1))];
  });
export const minimum = (a: TensorLike, b: TensorLike) =>
  binary("minimum", a, b, (a, b, _y, g) => {
    const m = a.le(b).cast(g.dtype);
    return [g.mul(m), g.mul(m.neg().add(1))];
  });

// Comparisons return bool tensors and carry no gradient.
export const eq = (a: TensorLike, b: TensorLike) => binary("eq", a, b);
export const ne = (a: TensorLike, b: TensorLike) => binary("ne", a, b);
export const lt = (a: TensorLike, b: TensorLike) => binary("lt", a, b);
export const le = (a: TensorLike, b: TensorLike) => binary("le", a, b);
export const gt = (a: TensorLike, b: TensorLike) => binary("gt", a, b);
export const ge = (a: TensorLike, b: TensorLike) => binary("ge", a, b);
export const logicalAnd = (a: Tensor, b: Tensor) => binaryRaw("mul", a.cast("bool"), b.cast("bool")).cast("bool");
export const logicalOr = (a: Tensor, b: Tensor) => binaryRaw("maximum", a.cast("bool"), b.cast("bool")).cast("bool");

/** Elements of a where cond holds, else of b (all three broadcast). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const like = typeof a !== "number" ? a : typeof b !== "number" ? b : Tensor.scalar(0, { device: cond.device });
  const ta = toTensor(a, like);
  const tb = toTensor(b, like);
  sameDevice("where", cond, ta, tb);
  if (ta.dtype !== tb.dtype) {
    throw new TypeError(`where: branches have dtypes ${ta.dtype} and ${tb.dtype} (shapes ${fmt(ta.shape)}, ${fmt(tb.shape)})`);
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
  c.heldByGraph = true;
  return recordOp("where", [ta, tb], y, (g) => {
    const zero = Tensor.scalar(0, { dtype: g.dtype, device: g.device });
    return [
      ta.requiresGrad ? sumToShape(where(c, g, zero), ta.shape) : null,
      tb.requiresGrad ? sumToShape(where(c, zero, g), tb.shape) : null,
    ];
  });
}

export { requireFloat };
