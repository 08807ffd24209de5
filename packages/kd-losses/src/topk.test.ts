import { describe, expect, it } from "vitest";
import { KD_KINDS, type KdKind, kdLoss, type TopkMissingMass } from "./index.js";
import { f32, f64, i32, randomIds, randomLogits, topkFromLogits } from "./testing/fixtures.js";
import { kdLossRef } from "./testing/reference.js";

const SHAPE = [2, 3, 9] as const;
const TOKENS = 6;
const V = 9;
const student = randomLogits(SHAPE, 11);
const teacher = randomLogits(SHAPE, 12);
const mask = [1, 0, 1, 1, 1, 0];

const PARAMS: Record<KdKind, { beta?: number; alpha?: number }> = {
  forward_kl: {},
  reverse_kl: {},
  symmetric_kl: {},
  jsd: { beta: 0.7 },
  skew_kl: { alpha: 0.3 },
  skew_reverse_kl: { alpha: 0.3 },
  tvd: {},
};

function topk(k: number, seed: number) {
  const ids = randomIds(TOKENS, V, k, seed);
  const logprobs = topkFromLogits(teacher, V, ids, k);
  return { ids, logprobs, tensors: { topkIds: i32(ids, [2, 3, k]), topkLogprobs: f64(logprobs, [2, 3, k]) } };
}

describe("top-k teachers (k < V) match the float64 formulas", () => {
  const k = 4;
  const t = topk(k, 5);
  const modes: [TopkMissingMass, number][] = [
    ["renormalize", 1],
    ["renormalize", 2],
    ["bucket", 1],
  ];
  for (const [missing, temperature] of modes) {
    it(`${missing}, T = ${temperature}`, () => {
      for (const kind of KD_KINDS) {
        const opts = { kind, temperature, ...PARAMS[kind] };
        const got = kdLoss(f64(student, SHAPE), t.tensors, {
          ...opts,
          topkMissingMass: missing,
          mask: f64(Float64Array.from(mask), [2, 3]),
        }).item();
        const want = kdLossRef(
          Array.from(student),
          SHAPE,
          { ids: Array.from(t.ids), logprobs: Array.from(t.logprobs), k, missing },
          { ...opts, mask },
        ) as number;
        expect(got, kind).toBeCloseTo(want, 12);
        expect(want).toBeGreaterThan(0);
      }
    });
  }

  it("renormalize is the default", () => {
    const a = kdLoss(f64(student, SHAPE), t.tensors, { kind: "forward_kl" }).item();
    const b = kdLoss(f64(student, SHAPE), t.tensors, {
      kind: "forward_kl",
      topkMissingMass: "renormalize",
    }).item();
    expect(a).toBe(b);
  });

  it("takes int64 ids and half-precision logprobs as a cache stores them", () => {
    const loss = kdLoss(
      f32(student, SHAPE),
      {
        topkIds: t.tensors.topkIds.cast("int64"),
        topkLogprobs: f32(t.logprobs, [2, 3, k]).cast("bfloat16"),
      },
      { kind: "forward_kl", topkMissingMass: "bucket" },
    );
    const want = kdLossRef(
      Array.from(student),
      SHAPE,
      { ids: Array.from(t.ids), logprobs: Array.from(t.logprobs), k, missing: "bucket" },
      { kind: "forward_kl" },
    ) as number;
    expect(Math.abs(loss.item() - want)).toBeLessThan(1e-2 * want);
  });
});

describe("a top-k teacher with k = V agrees with the dense teacher", () => {
  const t = topk(V, 6);
  const modes: [TopkMissingMass, number][] = [
    ["renormalize", 1],
    ["renormalize", 3],
    ["bucket", 1],
  ];
  for (const [missing, temperature] of modes) {
    it(`${missing}, T = ${temperature}, ids in shuffled order`, () => {
      for (const kind of KD_KINDS) {
        const opts = { kind, temperature, ...PARAMS[kind], mask: f64(Float64Array.from(mask), [2, 3]) };
        const dense = kdLoss(f64(student, SHAPE), { logits: f64(teacher, SHAPE) }, opts).item();
        const sparse = kdLoss(f64(student, SHAPE), t.tensors, { ...opts, topkMissingMass: missing }).item();
        expect(sparse, kind).toBeCloseTo(dense, 12);
      }
    });
  }

  it("and so does its gradient", () => {
    for (const kind of KD_KINDS) {
      for (const missing of ["renormalize", "bucket"] as const) {
        const a = f64(student, SHAPE, true);
        const b = f64(student, SHAPE, true);
        kdLoss(a, { logits: f64(teacher, SHAPE) }, { kind, ...PARAMS[kind] }).backward();
        kdLoss(b, t.tensors, { kind, ...PARAMS[kind], topkMissingMass: missing }).backward();
        const ga = a.grad!.dataSync() as Float64Array;
        const gb = b.grad!.dataSync() as Float64Array;
        for (let i = 0; i < ga.length; i++)
          expect(Math.abs(ga[i] - gb[i]), `${kind} ${missing} [${i}]`).toBeLessThan(1e-12);
      }
    }
  });
});
