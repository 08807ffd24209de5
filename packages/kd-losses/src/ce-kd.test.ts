import { describe, expect, it } from "vitest";
import { ceKdMixture, kdLoss } from "./index.js";
import { f64, i32, randomIds, randomLogits, topkFromLogits, values } from "./testing/fixtures.js";
import { gradcheck } from "./testing/gradcheck.js";
import { crossEntropyRef, kdLossRef } from "./testing/reference.js";

const SHAPE = [2, 3, 6] as const;
const student = randomLogits(SHAPE, 61);
const teacher = randomLogits(SHAPE, 62);
const labels = [3, -100, 0, 5, 2, -100];
const kept = labels.map((l) => (l === -100 ? 0 : 1));

describe("ceKdMixture = α · CE + (1 − α) · KD", () => {
  const ce = crossEntropyRef(Array.from(student), SHAPE, labels);
  const ceMean = ce.reduce((a, b) => a + b, 0) / 4;

  for (const alpha of [0, 0.3, 1]) {
    it(`α = ${alpha}, KD mask defaulting to the labelled tokens`, () => {
      const kd = kdLossRef(
        Array.from(student),
        SHAPE,
        { logits: Array.from(teacher) },
        {
          kind: "forward_kl",
          temperature: 2,
          mask: kept,
        },
      ) as number;
      const got = ceKdMixture(
        f64(student, SHAPE),
        i32(labels, [2, 3]),
        { logits: f64(teacher, SHAPE) },
        {
          alpha,
          kd: { kind: "forward_kl", temperature: 2 },
        },
      );
      expect(got.item()).toBeCloseTo(alpha * ceMean + (1 - alpha) * kd, 12);
    });
  }

  it('reduction "none" gives per-token values, zero where ignored', () => {
    const got = ceKdMixture(
      f64(student, SHAPE),
      i32(labels, [2, 3]),
      { logits: f64(teacher, SHAPE) },
      {
        alpha: 0.25,
        reduction: "none",
        kd: { kind: "jsd", beta: 0.5 },
      },
    );
    const kd = kdLossRef(
      Array.from(student),
      SHAPE,
      { logits: Array.from(teacher) },
      {
        kind: "jsd",
        beta: 0.5,
        mask: kept,
        reduction: "none",
      },
    ) as number[];
    const g = values(got);
    ce.forEach((c, i) => {
      expect(g[i]).toBeCloseTo(0.25 * c + 0.75 * kd[i], 12);
    });
  });

  it("an explicit mask and a top-k teacher with skew KL (whose own alpha is the skew)", () => {
    const ids = randomIds(6, 6, 3, 63);
    const t = {
      topkIds: i32(ids, [2, 3, 3]),
      topkLogprobs: f64(topkFromLogits(teacher, 6, ids, 3), [2, 3, 3]),
    };
    const mask = f64(Float64Array.from([1, 1, 1, 0, 1, 1]), [2, 3]);
    const got = ceKdMixture(f64(student, SHAPE), i32(labels, [2, 3]), t, {
      alpha: 0.5,
      mask,
      kd: { kind: "skew_kl", alpha: 0.2 },
    }).item();
    const kd = kdLoss(f64(student, SHAPE), t, { kind: "skew_kl", alpha: 0.2, mask }).item();
    expect(got).toBeCloseTo(0.5 * ceMean + 0.5 * kd, 12);
  });

  it("its gradient agrees with finite differences", () => {
    const r = gradcheck(
      (x) =>
        ceKdMixture(
          x,
          i32(labels, [2, 3]),
          { logits: f64(teacher, SHAPE) },
          { alpha: 0.4, kd: { kind: "reverse_kl", temperature: 1.5 } },
        ),
      student,
      SHAPE,
    );
    expect(r.maxAbsError, JSON.stringify(r.worst)).toBeLessThan(1e-7);
  });
});
