/*
 * Test-only float64 references, written straight from the papers' formulas in probability space
 * over plain number arrays. They share no code with the package (no log-space tricks, no
 * tensors), so agreement means something.
 */
import type { KdKind } from "../options.js";

export interface RefParams {
  kind: KdKind;
  beta?: number;
  alpha?: number;
}

export function softmaxRef(row: readonly number[], temperature = 1): number[] {
  const z = row.map((v) => v / temperature);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** KL(a || b) = Σ a_i log(a_i / b_i), with 0 log 0 = 0. */
export function klRef(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > 0) s += a[i] * Math.log(a[i] / b[i]);
  return s;
}

const mix = (w: number, a: readonly number[], b: readonly number[]) =>
  a.map((ai, i) => w * ai + (1 - w) * b[i]);

/** The divergence between teacher p and student q, both probability vectors. */
export function divergenceRef(p: readonly number[], q: readonly number[], o: RefParams): number {
  const beta = o.beta ?? 0.5;
  const alpha = o.alpha ?? 0.1;
  switch (o.kind) {
    case "forward_kl":
      return klRef(p, q);
    case "reverse_kl":
      return klRef(q, p);
    case "symmetric_kl":
      return klRef(p, q) + klRef(q, p);
    case "jsd": {
      if (beta === 0) return klRef(p, q);
      if (beta === 1) return klRef(q, p);
      const m = mix(beta, p, q);
      return beta * klRef(p, m) + (1 - beta) * klRef(q, m);
    }
    case "skew_kl":
      return klRef(p, mix(alpha, p, q));
    case "skew_reverse_kl":
      return klRef(q, mix(alpha, q, p));
    case "tvd":
      return 0.5 * p.reduce((s, pi, i) => s + Math.abs(pi - q[i]), 0);
  }
}

export type RefTeacher =
  | { logits: readonly number[] }
  | { ids: readonly number[]; logprobs: readonly number[]; k: number; missing: "renormalize" | "bucket" };

export interface RefLossOptions extends RefParams {
  temperature?: number;
  mask?: readonly number[];
  reduction?: "mean" | "sum" | "none";
}

/** The whole loss: per-token divergence × T², reduced over the kept tokens. */
export function kdLossRef(
  student: readonly number[],
  shape: readonly [number, number, number],
  teacher: RefTeacher,
  o: RefLossOptions,
): number | number[] {
  const [b, t, v] = shape;
  const temp = o.temperature ?? 1;
  const perToken: number[] = [];
  for (let r = 0; r < b * t; r++) {
    const s = student.slice(r * v, (r + 1) * v);
    let p: number[];
    let q: number[];
    if ("logits" in teacher) {
      p = softmaxRef(teacher.logits.slice(r * v, (r + 1) * v), temp);
      q = softmaxRef(s, temp);
    } else {
      const { k } = teacher;
      const ids = teacher.ids.slice(r * k, (r + 1) * k);
      const lp = teacher.logprobs.slice(r * k, (r + 1) * k);
      // The student's softmax over the full vocabulary, read at the teacher's ids.
      const qFull = softmaxRef(s, temp);
      const qIds = ids.map((id) => qFull[id]);
      const qSum = qIds.reduce((x, y) => x + y, 0);
      if (teacher.missing === "renormalize") {
        p = softmaxRef(lp, temp);
        q = qIds.map((x) => x / qSum);
      } else {
        const pIds = lp.map(Math.exp);
        p = [...pIds, Math.max(0, 1 - pIds.reduce((x, y) => x + y, 0))];
        q = [...qIds, 1 - qSum];
      }
    }
    const keep = o.mask ? o.mask[r] !== 0 : true;
    perToken.push(keep ? divergenceRef(p, q, o) * temp * temp : 0);
  }
  const reduction = o.reduction ?? "mean";
  if (reduction === "none") return perToken;
  const total = perToken.reduce((x, y) => x + y, 0);
  if (reduction === "sum") return total;
  const count = o.mask ? o.mask.filter((m) => m !== 0).length : b * t;
  return total / Math.max(count, 1);
}

/** Cross-entropy per token (ignored labels give 0), for the CE + KD mixture. */
export function crossEntropyRef(
  student: readonly number[],
  shape: readonly [number, number, number],
  labels: readonly number[],
) {
  const v = shape[2];
  return labels.map((label, r) =>
    label === -100 ? 0 : -Math.log(softmaxRef(student.slice(r * v, (r + 1) * v))[label]),
  );
}
