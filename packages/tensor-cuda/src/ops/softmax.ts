import type { SoftmaxSpec } from "../backend/backend.js";
import { fmt, normAxis, ShapeError } from "../shape.js";
import { recordOp, type Tensor, wrap } from "../tensor.js";
import { backendOf, requireFloat } from "./util.js";

function softmaxLast(x: Tensor, spec: SoftmaxSpec, op: string): Tensor {
  const b = backendOf(x);
  const y = wrap(b.softmax(x.storage, spec), x.shape);
  return recordOp(op, [x], y, (g) => [wrap(b.softmaxBackward(y.storage, g.storage, spec), x.shape)]);
}

function along(x: Tensor, axis: number, log: boolean): Tensor {
  const op = log ? "log_softmax" : "softmax";
  requireFloat(op, x);
  const a = normAxis(op, axis, x.rank);
  if (x.rank === 0) return along(x.reshape([1]), 0, log).reshape([]);
  const last = x.rank - 1;
  if (a !== last) return along(x.transpose(a, last), last, log).transpose(a, last);
  const cols = x.shape[last] ?? 1;
  return softmaxLast(x, { rows: x.size / Math.max(cols, 1), cols, log }, op);
}

export const softmax = (x: Tensor, axis = -1) => along(x, axis, false);
export const logSoftmax = (x: Tensor, axis = -1) => along(x, axis, true);

/**
 * Softmax over attention scores [..., queries, keys] where query i sees keys j <= i + offset
 * (offset = keys - queries when earlier tokens sit in a KV cache). The mask is applied inside
 * the kernel, so no [T, S] mask tensor is built.
 */
export function causalSoftmax(scores: Tensor, offset?: number): Tensor {
  requireFloat("causal_softmax", scores);
  if (scores.rank < 2)
    throw new ShapeError(`causal_softmax: needs [..., queries, keys], got ${fmt(scores.shape)}`);
  const [q, k] = scores.shape.slice(-2);
  return softmaxLast(
    scores,
    { rows: scores.size / k, cols: k, log: false, causal: { queries: q, offset: offset ?? k - q } },
    "causal_softmax",
  );
}
