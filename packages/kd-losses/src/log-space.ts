/*
 * Divergence building blocks on log-probabilities along the last axis. Everything stays in log
 * space: probabilities are exp(log p) only where they multiply a finite log-ratio, and mixtures
 * are log-sum-exps of weighted logs, so an underflowed probability never becomes log(0).
 *
 * Zero-probability entries (log p = -inf: a teacher's masked vocabulary, an empty top-k bucket)
 * are replaced by finite stand-ins *before* the arithmetic and masked after it ("double where"):
 * masking only the result leaves 0 * inf = NaN in the backward pass.
 */
import { type Tensor, maximum, where } from "@shrinkray/tensor-cuda";

/**
 * KL(a || b) = Σ a (log a − log b) along the last axis, with 0 · log 0 = 0. Infinite, as it
 * should be, where a > 0 and b = 0.
 */
export function klAlongLast(logA: Tensor, logB: Tensor): Tensor {
  const a = logA.exp();
  const present = a.detach().gt(0);
  const ratio = where(present, logA, 0).sub(where(present, logB, 0));
  return a.mul(ratio).sum(-1);
}

/** log(wA · a + wB · b) element-wise, for weights in [0, 1]; a weight of 0 drops its side exactly. */
export function logMix(wA: number, logA: Tensor, wB: number, logB: Tensor): Tensor {
  if (wA === 0) return wB === 1 ? logB : logB.add(Math.log(wB));
  if (wB === 0) return wA === 1 ? logA : logA.add(Math.log(wA));
  const x = logA.add(Math.log(wA));
  const y = logB.add(Math.log(wB));
  // The shift is a constant for autograd: log-sum-exp is exact for any shift, and the largest
  // term keeps exp() from overflowing.
  const hi = maximum(x.detach(), y.detach());
  const empty = hi.eq(Number.NEGATIVE_INFINITY);
  const shift = where(empty, 0, hi);
  const total = x.sub(shift).exp().add(y.sub(shift).exp());
  // Where both sides are zero the sum is 0; log's backward would divide by it.
  return where(empty, Number.NEGATIVE_INFINITY, where(empty, 1, total).log().add(shift));
}

/** ½ Σ |a − b| along the last axis. */
export function tvdAlongLast(logA: Tensor, logB: Tensor): Tensor {
  return logA.exp().sub(logB.exp()).abs().sum(-1).mul(0.5);
}
