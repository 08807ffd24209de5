import { describe, expect, it } from "vitest";
import { KD_KINDS, type KdKind, kdLoss, type Reduction } from "./index.js";
import { f32, f64, randomLogits, values } from "./testing/fixtures.js";
import { kdLossRef } from "./testing/reference.js";

const SHAPE = [2, 3, 7] as const;
const student = randomLogits(SHAPE, 1);
const teacher = randomLogits(SHAPE, 2);
const mask = [1, 1, 0, 1, 0, 1];

// Each kind at a parameter inside its range; the ends are covered in limits.test.ts.
const PARAMS: Record<KdKind, { beta?: number; alpha?: number }> = {
  forward_kl: {},
  reverse_kl: {},
  symmetric_kl: {},
  jsd: { beta: 0.3 },
  skew_kl: { alpha: 0.2 },
  skew_reverse_kl: { alpha: 0.2 },
  tvd: {},
};

describe("kdLoss on a dense teacher matches the float64 formulas", () => {
  for (const kind of KD_KINDS) {
    for (const temperature of [1, 2.5]) {
      it(`${kind}, T = ${temperature}`, () => {
        const opts = { kind, temperature, ...PARAMS[kind] };
        const got = kdLoss(f64(student, SHAPE), { logits: f64(teacher, SHAPE) }, opts).item();
        const want = kdLossRef(Array.from(student), SHAPE, { logits: Array.from(teacher) }, opts) as number;
        expect(got).toBeCloseTo(want, 12);
        expect(want).toBeGreaterThan(0);
      });
    }
  }

  it("float32 inputs agree with the float64 reference to float32 precision", () => {
    for (const kind of KD_KINDS) {
      const opts = { kind, temperature: 2, ...PARAMS[kind] };
      const got = kdLoss(f32(student, SHAPE), { logits: f32(teacher, SHAPE) }, opts);
      expect(got.dtype).toBe("float32");
      const want = kdLossRef(Array.from(student), SHAPE, { logits: Array.from(teacher) }, opts) as number;
      expect(Math.abs(got.item() - want)).toBeLessThan(1e-5 * Math.max(1, want));
    }
  });

  it("multiplies by T² (Hinton)", () => {
    const soft = kdLoss(
      f64(student, SHAPE),
      { logits: f64(teacher, SHAPE) },
      { kind: "forward_kl", temperature: 4 },
    );
    const ref = kdLossRef(
      Array.from(student),
      SHAPE,
      { logits: Array.from(teacher) },
      { kind: "forward_kl", temperature: 4 },
    );
    const unscaled = kdLossRef(
      Array.from(student).map((x) => x / 4),
      SHAPE,
      {
        logits: Array.from(teacher).map((x) => x / 4),
      },
      { kind: "forward_kl" },
    ) as number;
    expect(soft.item()).toBeCloseTo(ref as number, 12);
    expect(soft.item()).toBeCloseTo(16 * unscaled, 12);
  });

  it("is zero when the student equals the teacher", () => {
    for (const kind of KD_KINDS) {
      const loss = kdLoss(f64(student, SHAPE), { logits: f64(student, SHAPE) }, { kind, ...PARAMS[kind] });
      expect(Math.abs(loss.item())).toBeLessThan(1e-14);
    }
  });
});

describe("mask and reduction", () => {
  const reductions: Reduction[] = ["mean", "sum", "none"];
  for (const reduction of reductions) {
    it(`"${reduction}" over unmasked tokens`, () => {
      for (const kind of KD_KINDS) {
        const opts = { kind, reduction, ...PARAMS[kind] };
        const got = kdLoss(
          f64(student, SHAPE),
          { logits: f64(teacher, SHAPE) },
          { ...opts, mask: f64(Float64Array.from(mask), [2, 3]) },
        );
        const want = kdLossRef(
          Array.from(student),
          SHAPE,
          { logits: Array.from(teacher) },
          { ...opts, mask },
        );
        if (reduction === "none") {
          expect(got.shape).toEqual([2, 3]);
          const g = values(got);
          (want as number[]).forEach((w, i) => {
            expect(g[i]).toBeCloseTo(w, 12);
            if (mask[i] === 0) expect(g[i]).toBe(0);
          });
        } else {
          expect(got.shape).toEqual([]);
          expect(got.item()).toBeCloseTo(want as number, 12);
        }
      }
    });
  }

  it("accepts bool and int masks alike, and gives 0 (not NaN) when every token is masked", () => {
    const s = f64(student, SHAPE);
    const t = { logits: f64(teacher, SHAPE) };
    const asInt = kdLoss(s, t, {
      kind: "forward_kl",
      mask: f64(Float64Array.from(mask), [2, 3]).cast("int32"),
    }).item();
    const asBool = kdLoss(s, t, {
      kind: "forward_kl",
      mask: f64(Float64Array.from(mask), [2, 3]).cast("bool"),
    }).item();
    expect(asInt).toBe(asBool);
    const none = kdLoss(s, t, { kind: "forward_kl", mask: f64(new Float64Array(6), [2, 3]) });
    expect(none.item()).toBe(0);
  });

  it("ignores whatever a masked token's teacher holds (NaN, inf) in value and gradient", () => {
    const bad = Float64Array.from(teacher);
    for (let j = 0; j < 7; j++) {
      bad[2 * 7 + j] = Number.NaN;
      bad[4 * 7 + j] = j === 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    }
    const m = f64(Float64Array.from(mask), [2, 3]);
    for (const kind of KD_KINDS) {
      const s = f64(student, SHAPE, true);
      const loss = kdLoss(s, { logits: f64(bad, SHAPE) }, { kind, mask: m, ...PARAMS[kind] });
      const clean = kdLoss(
        f64(student, SHAPE),
        { logits: f64(teacher, SHAPE) },
        { kind, mask: m, ...PARAMS[kind] },
      );
      expect(loss.item()).toBeCloseTo(clean.item(), 12);
      loss.backward();
      const g = values(s.grad!);
      expect(g.every(Number.isFinite)).toBe(true);
      for (const r of [2, 4]) for (let j = 0; j < 7; j++) expect(Math.abs(g[r * 7 + j])).toBe(0);
    }
  });

  it("the teacher receives no gradient", () => {
    const t = f64(teacher, SHAPE, true);
    const s = f64(student, SHAPE, true);
    kdLoss(s, { logits: t }, { kind: "jsd" }).backward();
    expect(s.grad).not.toBeNull();
    expect(t.grad).toBeNull();
  });
});
