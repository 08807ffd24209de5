import { describe, expect, it } from "vitest";
import { KD_KINDS, type KdKind, kdLoss } from "./index.js";
import { f32, f64, i32, randomLogits, values } from "./testing/fixtures.js";
import { kdLossRef } from "./testing/reference.js";

const PARAMS: Record<KdKind, { beta?: number; alpha?: number }> = {
  forward_kl: {},
  reverse_kl: {},
  symmetric_kl: {},
  jsd: { beta: 0.5 },
  skew_kl: { alpha: 0.1 },
  skew_reverse_kl: { alpha: 0.1 },
  tvd: {},
};

describe("extreme logits in float32 (probabilities underflow to 0)", () => {
  // Teacher and student each put all their mass on a different token, e^-1000 elsewhere.
  // Closed forms: KL = 2000 either way; JSD(½) = log 2; skew KLs = log(1/α); TVD = 1.
  const expected: Record<KdKind, number> = {
    forward_kl: 2000,
    reverse_kl: 2000,
    symmetric_kl: 4000,
    jsd: Math.LN2,
    skew_kl: Math.log(10),
    skew_reverse_kl: Math.log(10),
    tvd: 1,
  };
  for (const scale of [1000, 30000]) {
    it(`logits ±${scale}: finite values and gradients, equal to the closed forms`, () => {
      for (const kind of KD_KINDS) {
        const s = f32([scale, -scale, 0], [1, 1, 3]).requiresGrad_();
        const loss = kdLoss(s, { logits: f32([-scale, scale, 0], [1, 1, 3]) }, { kind, ...PARAMS[kind] });
        const want =
          kind.endsWith("kl") && !kind.startsWith("skew") ? (expected[kind] * scale) / 1000 : expected[kind];
        expect(Math.abs(loss.item() - want), kind).toBeLessThan(1e-5 * want);
        loss.backward();
        const g = values(s.grad!);
        expect(g.every(Number.isFinite), `${kind} gradient ${g}`).toBe(true);
        if (kind === "forward_kl") expect(g.map((x) => Math.round(x * 1e6) / 1e6)).toEqual([1, -1, 0]); // q − p
      }
    });
  }

  it("a teacher with -inf logits (a masked vocabulary) gives the reference values and finite gradients", () => {
    const shape = [1, 2, 4] as const;
    const student = randomLogits(shape, 41);
    const teacher = [
      0,
      1.5,
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -1,
      Number.NEGATIVE_INFINITY,
      2,
      0.5,
    ];
    // Reverse and symmetric KL are +inf here (the student has mass where the teacher has none).
    for (const kind of KD_KINDS.filter((k) => k !== "reverse_kl" && k !== "symmetric_kl")) {
      const s = f64(student, shape, true);
      const loss = kdLoss(s, { logits: f64(Float64Array.from(teacher), shape) }, { kind, ...PARAMS[kind] });
      expect(loss.item(), kind).toBeCloseTo(
        kdLossRef(Array.from(student), shape, { logits: teacher }, { kind, ...PARAMS[kind] }) as number,
        12,
      );
      loss.backward();
      expect(values(s.grad!).every(Number.isFinite), kind).toBe(true);
    }
    const rkl = kdLoss(
      f64(student, shape),
      { logits: f64(Float64Array.from(teacher), shape) },
      { kind: "reverse_kl" },
    );
    expect(rkl.item()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("top-k bucket stays exact where 1 − Σ q rounds to 0", () => {
  // The student puts e^-100 on each of the 6 tokens outside the teacher's top 2: 1 − Σ q is 0
  // even in float64, but the bucket's log-mass, log 6 − 100 − log(2 e^0 + 6 e^-100), is not.
  const ids = [0, 1];
  const logits = [0, 0, -100, -100, -100, -100, -100, -100];
  const teacherLogprobs = [Math.log(0.5), Math.log(0.45)];
  const logZ = Math.log(2 + 6 * Math.exp(-100));
  const logQ = [-logZ, -logZ, Math.log(6) - 100 - logZ];
  const logP = [...teacherLogprobs, Math.log(0.05)];
  const kl = logP.reduce((s, lp, i) => s + Math.exp(lp) * (lp - logQ[i]), 0);

  it("forward KL in float32 and float64", () => {
    for (const make of [f32, (d: number[], sh: readonly number[]) => f64(Float64Array.from(d), sh)]) {
      const s = make(logits, [1, 1, 8]).requiresGrad_();
      const loss = kdLoss(
        s,
        { topkIds: i32(ids, [1, 1, 2]), topkLogprobs: make(teacherLogprobs, [1, 1, 2]) },
        {
          kind: "forward_kl",
          topkMissingMass: "bucket",
        },
      );
      expect(Math.abs(loss.item() - kl) / kl).toBeLessThan(1e-6);
      loss.backward();
      expect(values(s.grad!).every(Number.isFinite)).toBe(true);
    }
  });

  it("every kind stays finite", () => {
    for (const kind of KD_KINDS) {
      const s = f32(logits, [1, 1, 8]).requiresGrad_();
      const loss = kdLoss(
        s,
        { topkIds: i32(ids, [1, 1, 2]), topkLogprobs: f32(teacherLogprobs, [1, 1, 2]) },
        {
          kind,
          ...PARAMS[kind],
          topkMissingMass: "bucket",
        },
      );
      expect(Number.isFinite(loss.item()), kind).toBe(true);
      loss.backward();
      expect(values(s.grad!).every(Number.isFinite), kind).toBe(true);
    }
  });

  it("a teacher whose top-k mass rounds past 1 gets an empty bucket, not a negative one", () => {
    const s = f32([2, 1, 0, -1], [1, 1, 4]);
    const lp = f32([Math.log(0.7), Math.log(0.3) + 1e-6], [1, 1, 2]);
    const loss = kdLoss(
      s,
      { topkIds: i32([0, 1], [1, 1, 2]), topkLogprobs: lp },
      { kind: "forward_kl", topkMissingMass: "bucket" },
    );
    expect(Number.isFinite(loss.item())).toBe(true);
  });
});

describe("padding in a top-k teacher's masked tokens", () => {
  it("ids -1 or ≥ V and NaN logprobs at masked tokens change nothing", () => {
    const shape = [1, 3, 5] as const;
    const student = randomLogits(shape, 51);
    const ids = [0, 3, -1, -1, 4, 2];
    const idsClean = [0, 3, 0, 1, 4, 2];
    const lp = [-0.5, -1.5, Number.NaN, Number.NaN, -0.3, -2];
    const lpClean = [-0.5, -1.5, -1, -1, -0.3, -2];
    const mask = f64(Float64Array.from([1, 0, 1]), [1, 3]);
    for (const missing of ["renormalize", "bucket"] as const) {
      for (const kind of KD_KINDS) {
        const s = f64(student, shape, true);
        const loss = kdLoss(
          s,
          {
            topkIds: i32(
              ids.map((x, i) => (i === 3 ? 99 : x)),
              [1, 3, 2],
            ),
            topkLogprobs: f64(Float64Array.from(lp), [1, 3, 2]),
          },
          {
            kind,
            mask,
            topkMissingMass: missing,
          },
        );
        const clean = kdLoss(
          f64(student, shape),
          { topkIds: i32(idsClean, [1, 3, 2]), topkLogprobs: f64(Float64Array.from(lpClean), [1, 3, 2]) },
          {
            kind,
            mask,
            topkMissingMass: missing,
          },
        );
        expect(loss.item(), `${kind} ${missing}`).toBeCloseTo(clean.item(), 12);
        loss.backward();
        const g = values(s.grad!);
        expect(g.every(Number.isFinite)).toBe(true);
        expect(g.slice(5, 10).every((x) => x === 0)).toBe(true);
      }
    }
  });
});
