/*
 * Puts teacher and student on one support, as log-probabilities along the last axis:
 *   dense teacher        → the full vocabulary, V entries;
 *   top-k, renormalize   → the teacher's k ids, both sides renormalised over them;
 *   top-k, bucket        → the k ids plus one bucket holding everything else (k + 1 entries).
 * Both sides are softened by the temperature here; the teacher is a constant (detached).
 */
import {
  add,
  cat,
  clamp,
  div,
  exp,
  gather,
  gt,
  log,
  logSoftmax,
  logsumexp,
  min,
  neg,
  scatterAdd,
  sum,
  Tensor,
  unsqueeze,
  where,
} from "@shrinkray/tensor-cuda";
import { KdOptionError } from "./errors.js";
import type { ResolvedKdOptions } from "./options.js";
import { isTopkTeacher, type Teacher } from "./teacher.js";

export interface LogProbPair {
  /** Teacher log-probabilities, [B, T, N]. */
  logP: Tensor;
  /** Student log-probabilities on the same N entries. */
  logQ: Tensor;
}

const NEG_INF = Number.NEGATIVE_INFINITY;
const soften = (x: Tensor, temperature: number) => (temperature === 1 ? x : div(x, temperature));

/**
 * keep: [B, T] booleans or null. Masked tokens' teacher values are swapped for a harmless
 * uniform teacher, so padding (NaN logits, id -1) can neither fail the gather nor leak NaN
 * through the backward pass of a token whose loss is masked to 0.
 */
export function logProbPair(
  student: Tensor,
  teacher: Teacher,
  keep: Tensor | null,
  o: Pick<ResolvedKdOptions, "temperature" | "topkMissingMass" | "kind">,
): LogProbPair {
  const keep3 = keep ? unsqueeze(keep, -1) : null;
  if (!isTopkTeacher(teacher)) {
    let t = teacher.logits.detach().cast(student.dtype);
    if (keep3) t = where(keep3, t, 0);
    return {
      logP: logSoftmax(soften(t, o.temperature), -1),
      logQ: logSoftmax(soften(student, o.temperature), -1),
    };
  }
  let ids = teacher.topkIds.cast("int32");
  let lp = teacher.topkLogprobs.detach().cast(student.dtype);
  if (keep3) {
    const k = ids.shape[2];
    // Distinct in-range ids 0..k-1 (k <= V was checked) ...
    ids = where(keep3, ids, Tensor.arange(k, undefined, 1, { device: ids.device }));
    // ... each with probability 1/(k + 1), so the bucket is not empty either.
    lp = where(keep3, lp, -Math.log(k + 1));
  }
  if (o.topkMissingMass === "renormalize") return renormalizedPair(student, ids, lp, o.temperature);
  if (o.temperature !== 1) {
    throw new KdOptionError(
      `kdLoss(${o.kind}): topkMissingMass "bucket" needs temperature 1 (got ${o.temperature}): the softened ` +
        `mass of the tokens outside the teacher's top-k cannot be known from their total; use "renormalize"`,
    );
  }
  return bucketPair(student, ids, lp);
}

/**
 * Renormalising the student's full-vocabulary log-softmax over the ids gives exactly the
 * log-softmax of its logits at those ids (the full normaliser cancels), so the [B, T, V]
 * log-softmax is never built: one gather of the logits is enough.
 */
function renormalizedPair(student: Tensor, ids: Tensor, lp: Tensor, temperature: number): LogProbPair {
  const logQ = logSoftmax(soften(gather(student, -1, ids), temperature), -1);
  // Softening then renormalising the teacher's top-k is the softened teacher restricted to them.
  const logP = logSoftmax(soften(lp, temperature), -1);
  return { logP, logQ };
}

/**
 * Student: log q at the ids from the full log-softmax, and the bucket's log-mass as a
 * log-sum-exp over the ids *not* chosen — exact even when 1 − Σ q rounds to 0 in float32, where
 * log(1 − Σ q) would be -inf. Teacher: the bucket is 1 − Σ p (clamped at 0: rounding can push
 * Σ p past 1).
 */
function bucketPair(student: Tensor, ids: Tensor, lp: Tensor): LogProbPair {
  const logq = logSoftmax(student, -1);
  const opts = { dtype: student.dtype, device: student.device };
  const hits = gt(scatterAdd(Tensor.zeros(student.shape, opts), -1, ids, Tensor.ones(ids.shape, opts)), 0);
  // Ids that cover the whole vocabulary leave an empty bucket: its log-sum-exp would be over
  // -inf only (0/0 in backward), and any 1 − Σ p the teacher leaves there is rounding.
  const covered = gt(min(hits.cast(student.dtype), -1, true), 0);
  const rest = where(covered, 0, where(hits, NEG_INF, logq));
  const logQTail = where(covered, NEG_INF, logsumexp(rest, -1, true));
  const tail = where(covered, 0, clamp(add(neg(sum(exp(lp), -1, true)), 1), 0, 1));
  return {
    logP: cat([lp, log(tail)], -1),
    logQ: cat([gather(logq, -1, ids), logQTail], -1),
  };
}
