import { ShapeError } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import {
  ceKdMixture,
  KdOptionError,
  type KdOptions,
  kdLoss,
  type Teacher,
  VocabMismatchError,
} from "./index.js";
import { f32, i32 } from "./testing/fixtures.js";

const student = f32(new Array(2 * 3 * 5).fill(0), [2, 3, 5]);
const dense: Teacher = { logits: f32(new Array(30).fill(0), [2, 3, 5]) };
const topk = (ids: number[], k = 2): Teacher => ({
  topkIds: i32(ids, [2, 3, k]),
  topkLogprobs: f32(new Array(6 * k).fill(-1), [2, 3, k]),
});
const okIds = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1];

function throws(fn: () => unknown, type: new (...a: any[]) => Error, message: RegExp) {
  expect(fn).toThrow(type);
  expect(fn).toThrow(message);
}

describe("clear errors", () => {
  it("vocabulary mismatch: student V vs teacher V", () => {
    const t = { logits: f32(new Array(36).fill(0), [2, 3, 6]) };
    throws(
      () => kdLoss(student, t, { kind: "forward_kl" }),
      VocabMismatchError,
      /teacher logits have vocabulary 6, the student's has 5/,
    );
  });

  it("vocabulary mismatch: a top-k id ≥ V or < 0, or k > V", () => {
    const big = [...okIds];
    big[7] = 5;
    throws(
      () => kdLoss(student, topk(big), { kind: "forward_kl" }),
      VocabMismatchError,
      /topkIds\[1, 0, 1\] = 5 is outside .*\[0, 5\)/,
    );
    const neg = [...okIds];
    neg[0] = -1;
    throws(() => kdLoss(student, topk(neg), { kind: "forward_kl" }), VocabMismatchError, /= -1 is outside/);
    throws(
      () => kdLoss(student, topk(new Array(36).fill(0), 6), { kind: "forward_kl" }),
      VocabMismatchError,
      /k = 6 ids per token but the student's vocabulary has only 5/,
    );
  });

  it("a top-k id repeated within a token", () => {
    const dup = [...okIds];
    dup[3] = 2;
    throws(
      () => kdLoss(student, topk(dup), { kind: "forward_kl" }),
      ShapeError,
      /repeat id 2 within token \[0, 1\]/,
    );
  });

  it("shape mismatches", () => {
    const t = { logits: f32(new Array(20).fill(0), [2, 2, 5]) };
    throws(
      () => kdLoss(student, t, { kind: "forward_kl" }),
      ShapeError,
      /teacher logits must be \[2, 3, \*\].*got \[2, 2, 5\]/,
    );
    throws(
      () => kdLoss(f32([0, 1], [1, 2]), dense, { kind: "forward_kl" }),
      ShapeError,
      /student logits must be \[B, T, V\]/,
    );
    throws(
      () => kdLoss(student, dense, { kind: "forward_kl", mask: f32([1, 1, 1], [1, 3]) }),
      ShapeError,
      /mask must be \[B, T\] = \[2, 3\].*got \[1, 3\]/,
    );
    const lpWrong = { topkIds: i32(okIds, [2, 3, 2]), topkLogprobs: f32(new Array(18).fill(-1), [2, 3, 3]) };
    throws(
      () => kdLoss(student, lpWrong, { kind: "forward_kl" }),
      ShapeError,
      /topkLogprobs \[2, 3, 3\] must have the shape of topkIds \[2, 3, 2\]/,
    );
    throws(() => kdLoss(student, {} as Teacher, { kind: "forward_kl" }), TypeError, /teacher must be/);
  });

  it("wrong dtypes", () => {
    throws(
      () => kdLoss(student.cast("int32"), dense, { kind: "forward_kl" }),
      Error,
      /student logits must be float32 or float64/,
    );
    const floatIds = { topkIds: f32(okIds, [2, 3, 2]), topkLogprobs: f32(new Array(12).fill(-1), [2, 3, 2]) };
    throws(() => kdLoss(student, floatIds, { kind: "forward_kl" }), Error, /topkIds must be int32 or int64/);
  });

  it("bad β, α, T, kind, reduction", () => {
    const bad: [Partial<KdOptions>, RegExp][] = [
      [{ kind: "jsd", beta: -0.1 }, /beta must be a number in \[0, 1\], got -0.1/],
      [{ kind: "jsd", beta: 1.5 }, /beta must be a number in \[0, 1\]/],
      [{ kind: "jsd", beta: Number.NaN }, /beta must be a number in \[0, 1\], got NaN/],
      [{ kind: "skew_kl", alpha: 2 }, /alpha must be a number in \[0, 1\], got 2/],
      [{ kind: "skew_reverse_kl", alpha: -1 }, /alpha must be/],
      [{ kind: "forward_kl", temperature: 0 }, /temperature must be a finite number > 0, got 0/],
      [{ kind: "forward_kl", temperature: -2 }, /temperature must be/],
      [{ kind: "forward_kl", temperature: Number.POSITIVE_INFINITY }, /temperature must be/],
      [{ kind: "kl" as never }, /unknown kind "kl"; expected one of forward_kl, reverse_kl/],
      [{ kind: "tvd", reduction: "avg" as never }, /reduction must be "mean", "sum" or "none"/],
      [
        { kind: "tvd", topkMissingMass: "drop" as never },
        /topkMissingMass must be "renormalize" or "bucket"/,
      ],
    ];
    for (const [opts, msg] of bad)
      throws(() => kdLoss(student, dense, opts as KdOptions), KdOptionError, msg);
  });

  it("an option the kind does not read is not validated", () => {
    expect(() => kdLoss(student, dense, { kind: "forward_kl", beta: 7, alpha: -3 })).not.toThrow();
  });

  it("bucket with a temperature ≠ 1", () => {
    throws(
      () => kdLoss(student, topk(okIds), { kind: "forward_kl", temperature: 2, topkMissingMass: "bucket" }),
      KdOptionError,
      /"bucket" needs temperature 1 \(got 2\)/,
    );
  });

  it("ceKdMixture: bad α, labels of the wrong shape or type", () => {
    const labels = i32([0, 1, 2, 3, 4, -100], [2, 3]);
    throws(
      () => ceKdMixture(student, labels, dense, { alpha: 1.2, kd: { kind: "forward_kl" } }),
      KdOptionError,
      /alpha \(the CE weight\)/,
    );
    throws(
      () => ceKdMixture(student, i32([0, 1], [1, 2]), dense, { alpha: 0.5, kd: { kind: "forward_kl" } }),
      ShapeError,
      /labels must be \[B, T\] = \[2, 3\]/,
    );
    throws(
      () =>
        ceKdMixture(student, f32([0, 1, 2, 3, 4, 0], [2, 3]), dense, {
          alpha: 0.5,
          kd: { kind: "forward_kl" },
        }),
      Error,
      /labels must be integer ids/,
    );
  });
});
