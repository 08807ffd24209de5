import type { ReduceOp } from "../backend/backend.js";
import { isFloating } from "../dtype.js";
import { DTypeError, fmt, normAxes, normAxis, numel, ShapeError } from "../shape.js";
import { markNonDifferentiable, recordOp, Tensor, wrap } from "../tensor.js";
import { where } from "./elementwise.js";
import { backendOf, computeType } from "./util.js";

export type Axes = number | readonly number[];

function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function droppedShape(shape: readonly number[], axes: number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Reduces over `axes`; a contiguous run of axes is one kernel call, others go one at a time. */
function reduceRaw(op: ReduceOp, x: Tensor, axes: number[]): Tensor {
  computeType(op, x.dtype);
  const b = backendOf(x);
  // A new tensor, never x itself: recordOp on an output that is its own input makes a cycle.
  if (axes.length === 0) return new Tensor(x.storage, x.shape);
  const contiguousRun = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
  if (contiguousRun) {
    const outer = numel(x.shape.slice(0, axes[0]));
    const size = numel(axes.map((a) => x.shape[a]));
    const inner = numel(x.shape.slice(axes[axes.length - 1] + 1));
    return wrap(b.reduce(op, x.storage, outer, size, inner), keptShape(x.shape, axes));
  }
  if (op !== "sum" && op !== "max" && op !== "min") throw new ShapeError(`${op}: needs a single axis`);
  let cur = x;
  for (let i = axes.length - 1; i >= 0; i--) cur = reduceRaw(op, cur, [axes[i]]);
  return cur;
}

export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const ax = normAxes("sum", axes, x.rank);
  const kept = reduceRaw("sum", x, ax);
  const y = keepDims ? kept : kept.reshape(droppedShape(x.shape, ax));
  return recordOp("sum", [x], y, (g) => [g.reshape(keptShape(x.shape, ax)).expand(x.shape)]);
}

export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const ax = normAxes("mean", axes, x.rank);
  if (!isFloating(x.dtype)) {
    throw new DTypeError(
      `mean: needs a floating-point tensor, got ${x.dtype} ${fmt(x.shape)} (cast it first)`,
    );
  }
  const count = numel(ax.map((a) => x.shape[a]));
  return sum(x, ax, keepDims).div(count);
}

function extremum(op: "max" | "min", x: Tensor, axes: Axes | undefined, keepDims: boolean): Tensor {
  const ax = normAxes(op, axes, x.rank);
  if (ax.some((a) => x.shape[a] === 0) || (x.rank === 0 && x.size === 0)) {
    throw new ShapeError(
      `${op}: cannot reduce an empty axis of a tensor of shape ${fmt(x.shape)} (axes [${ax.join(", ")}])`,
    );
  }
  const kept = reduceRaw(op, x, ax);
  const y = keepDims ? kept : kept.reshape(droppedShape(x.shape, ax));
  // Ties share the gradient equally (as torch.amax does). The backward reads y, which the graph
  // holds, not `kept`, which tidy() may already have disposed.
  return recordOp(op, [x], y, (g) => {
    const mask = x.eq(y.reshape(keptShape(x.shape, ax))).cast(g.dtype);
    const share = mask.div(mask.sum(ax, true));
    return [share.mul(g.reshape(keptShape(x.shape, ax)))];
  });
}

export const max = (x: Tensor, axes?: Axes, keepDims = false) => extremum("max", x, axes, keepDims);
export const min = (x: Tensor, axes?: Axes, keepDims = false) => extremum("min", x, axes, keepDims);

/** Index of the largest element along one axis (or of the flattened tensor); int32. */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argExtremum("argmax", x, axis, keepDims);
}

export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argExtremum("argmin", x, axis, keepDims);
}

function argExtremum(
  op: "argmax" | "argmin",
  x: Tensor,
  axis: number | undefined,
  keepDims: boolean,
): Tensor {
  const a = axis === undefined || x.rank === 0 ? undefined : normAxis(op, axis, x.rank);
  if (a === undefined ? x.size === 0 : x.shape[a] === 0) {
    throw new ShapeError(`${op}: cannot reduce an empty axis of a tensor of shape ${fmt(x.shape)}`);
  }
  const out =
    a === undefined
      ? reduceRaw(op, x.reshape([x.size]), [0]).reshape(keepDims ? x.shape.map(() => 1) : [])
      : keepDims
        ? reduceRaw(op, x, [a])
        : reduceRaw(op, x, [a]).reshape(droppedShape(x.shape, [a]));
  return markNonDifferentiable(op, [x], out);
}

/** log(sum(exp(x))) computed stably. */
export function logsumexp(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const ax = normAxes("logsumexp", axes, x.rank);
  const m = reduceRaw("max", x, ax).detach();
  const finite = where(m.abs().lt(Number.POSITIVE_INFINITY), m, 0);
  const lse = x.sub(finite).exp().sum(ax, true).log().add(finite);
  return keepDims ? lse : lse.reshape(droppedShape(x.shape, ax));
}

/** Variance with Bessel's correction by default (correction = 1), as torch.var. */
export function variance(
  x: Tensor,
  axes?: Axes,
  opts: { correction?: number; keepDims?: boolean } = {},
): Tensor {
  const ax = normAxes("var", axes, x.rank);
  const n = numel(ax.map((a) => x.shape[a]));
  const d = x.sub(mean(x, ax, true));
  return d
    .mul(d)
    .sum(ax, opts.keepDims ?? false)
    .div(Math.max(0, n - (opts.correction ?? 1)));
}
