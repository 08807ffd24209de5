import { mul, sum } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { KD_KINDS, type KdKind, type KdOptions, kdLoss, type Teacher } from "./index.js";
import { f64, i32, randomIds, randomLogits, topkFromLogits } from "./testing/fixtures.js";
import { gradcheck } from "./testing/gradcheck.js";

const SHAPE = [2, 2, 5] as const;
const V = 5;
const K = 3;
const student = randomLogits(SHAPE, 31);
const teacherLogits = randomLogits(SHAPE, 32);
const ids = randomIds(4, V, K, 33);
const mask = f64(Float64Array.from([1, 1, 0, 1]), [2, 2]);

const TEACHERS: Record<string, { teacher: Teacher; extra: Partial<KdOptions> }> = {
  dense: { teacher: { logits: f64(teacherLogits, SHAPE) }, extra: {} },
  "top-k renormalize": {
    teacher: {
      topkIds: i32(ids, [2, 2, K]),
      topkLogprobs: f64(topkFromLogits(teacherLogits, V, ids, K), [2, 2, K]),
    },
    extra: { topkMissingMass: "renormalize" },
  },
  "top-k bucket": {
    teacher: {
      topkIds: i32(ids, [2, 2, K]),
      topkLogprobs: f64(topkFromLogits(teacherLogits, V, ids, K), [2, 2, K]),
    },
    extra: { topkMissingMass: "bucket" },
  },
};

const PARAMS: Record<KdKind, Partial<KdOptions>[]> = {
  forward_kl: [{}],
  reverse_kl: [{}],
  symmetric_kl: [{}],
  jsd: [{ beta: 0 }, { beta: 0.4 }, { beta: 1 }],
  skew_kl: [{ alpha: 0.1 }, { alpha: 0.6 }],
  skew_reverse_kl: [{ alpha: 0.1 }, { alpha: 0.6 }],
  tvd: [{}],
};

describe("gradients agree with central finite differences (float64)", () => {
  for (const [name, { teacher, extra }] of Object.entries(TEACHERS)) {
    for (const kind of KD_KINDS) {
      for (const params of PARAMS[kind]) {
        const temperature = extra.topkMissingMass === "bucket" ? 1 : 1.7;
        it(`${name}: ${kind} ${JSON.stringify(params)}, T = ${temperature}`, () => {
          const opts = { kind, temperature, mask, ...params, ...extra };
          const r = gradcheck((x) => kdLoss(x, teacher, opts), student, SHAPE);
          expect(r.maxAbsError, JSON.stringify(r.worst)).toBeLessThan(1e-7);
        });
      }
    }
  }

  it('per-token losses ("none") weighted unevenly', () => {
    const w = f64(Float64Array.from([0.3, -1.2, 2, 0.7]), [2, 2]);
    for (const kind of KD_KINDS) {
      const r = gradcheck(
        (x) => sum(mul(kdLoss(x, TEACHERS.dense.teacher, { kind, reduction: "none" }), w)),
        student,
        SHAPE,
      );
      expect(r.maxAbsError, `${kind} ${JSON.stringify(r.worst)}`).toBeLessThan(1e-7);
    }
  });
});
