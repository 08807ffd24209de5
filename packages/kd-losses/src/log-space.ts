/*
 * Divergence building blocks on log-probabilities along the last axis. Everything stays in log
 * space: probabilities are exp(log p) only where they multiply a finite log-ratio, and mixtures
 * are log-sum-exps of weighted logs, so an underflowed probability never becomes log(0).
 *
 * Zero-probability entries (log p = -inf: a teacher's masked vocabulary, an empty top-k bucket)
 * are replaced by finite stand-ins *before* the arithmetic and masked after it ("double where"):
 * masking only the result leaves 0 * inf = NaN in the backward pass.
 *
 * (Ops are called as functions, not as t.add(u): the fluent methods' types do not survive
 * tensor-cuda's bundled .d.ts.)
 */
import {
  abs,
  add,
  eq,
  exp,
  gt,
  log,
  maximum,
  mul,
  sub,
  sum,
  type Tensor,
  where,
} from "@shrinkray/tensor-cuda";

const NEG_INF = Number.NEGATIVE_INFINITY;

/**
 * KL(a || b) = Σ a (log a − log b) along the last axis, with 0 · log 0 = 0. Infinite, as it
 * should be, where a > 0 and b = 0.
 */
export function klAlongLast(logA: Tensor, logB: Tensor): Tensor {
  const a = exp(logA);
  const present = gt(a.detach(), 0);
  const ratio = sub(where(present, logA, 0), where(present, logB, 0));
  return sum(mul(a, ratio), -1);
}

/** log(wA · a + wB · b) element-wise, for weights in [0, 1]; a weight of 0 drops its side exactly. */
export function logMix(wA: number, logA: Tensor, wB: number, logB: Tensor): Tensor {
  if (wA === 0) return wB === 1 ? logB : add(logB, Math.log(wB));
  if (wB === 0) return wA === 1 ? logA : add(logA, Math.log(wA));
  const x = add(logA, Math.log(wA));
  const y = add(logB, Math.log(wB));
  // The shift is a constant for autograd: log-sum-exp is exact for any shift, and the largest
  // term keeps exp() from overflowing.
  const hi = maximum(x.detach(), y.detach());
  const empty = eq(hi, NEG_INF);
  const shift = where(empty, 0, hi);
  const total = add(exp(sub(x, shift)), exp(sub(y, shift)));
  // Where both sides are zero the sum is 0; log's backward would divide by it.
  return where(empty, NEG_INF, add(log(where(empty, 1, total)), shift));
}

/** ½ Σ |a − b| along the last axis. */
export function tvdAlongLast(logA: Tensor, logB: Tensor): Tensor {
  return mul(sum(abs(sub(exp(logA), exp(logB))), -1), 0.5);
}
