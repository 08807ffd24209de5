import { describe, expect, it } from "vitest";
import { rope, ropeTables, ShapeError, scaledDotProductAttention, Tensor } from "../testing/core.js";
import { expectClose, float32GradsMatch, gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";
import { ravel, softmaxRow } from "../testing/reference.js";

describe("RoPE (rotate-half)", () => {
  it("tables: cos/sin of p * theta^(-2j/d), first half repeated", () => {
    const d = 8;
    const { cos, sin } = ropeTables(6, d);
    expect(cos.shape).toEqual([6, d]);
    const c = values(cos);
    const s = values(sin);
    for (let p = 0; p < 6; p++) {
      for (let j = 0; j < d; j++) {
        const ang = p * 10000 ** (-(2 * (j % (d / 2))) / d);
        expect(Math.abs(c[p * d + j] - Math.cos(ang))).toBeLessThan(1e-6);
        expect(Math.abs(s[p * d + j] - Math.sin(ang))).toBeLessThan(1e-6);
      }
    }
  });

  it("tables for explicit positions and another theta", () => {
    const pos = Tensor.from(Int32Array.from([7, 3]), [2]);
    const { cos } = ropeTables(pos, 4, 500);
    expectClose(
      cos,
      [7, 7 / Math.sqrt(500), 7, 7 / Math.sqrt(500), 3, 3 / Math.sqrt(500), 3, 3 / Math.sqrt(500)].map(
        Math.cos,
      ),
      [2, 4],
      1e-6,
    );
  });

  /** out[..., j] = x_j cos_j + (j < h ? -x_{j+h} : x_{j-h}) sin_j, with tables [T, D]. */
  function ropeRef(x: number[], shape: number[], cos: number[], sin: number[]): number[] {
    const d = shape[shape.length - 1];
    const t = shape[shape.length - 2];
    const h = d / 2;
    return x.map((v, i) => {
      const j = i % d;
      const pos = Math.floor(i / d) % t;
      const rot = j < h ? -x[i + h] : x[i - h];
      return v * cos[pos * d + j] + rot * sin[pos * d + j];
    });
  }

  it("forward vs naive on [B, H, T, D]; backward", () => {
    const shape = [2, 3, 5, 4];
    const x = randn32(shape, 1);
    const { cos, sin } = ropeTables(5, 4);
    expectClose(rope(x, cos, sin), ropeRef(values(x), shape, values(cos), values(sin)), shape, 1e-6);
    gradcheck((t) => rope(t, cos, sin), [randn64([1, 2, 5, 4], 2)]);
  });

  it("preserves the norm of each pair (a rotation)", () => {
    const x = randn32([1, 1, 3, 6], 3);
    const { cos, sin } = ropeTables(3, 6);
    const n0 = values(x.square().sum(-1));
    expectClose(rope(x, cos, sin).square().sum(-1), n0, [1, 1, 3], 1e-5);
  });

  it("odd head dim is a ShapeError", () => {
    const { cos, sin } = ropeTables(2, 4);
    expect(() => rope(Tensor.ones([2, 3]), cos, sin)).toThrow(/rope: head dim must be even, got \[2, 3\]/);
  });
});

/** Naive attention: q [B,H,T,D], k/v [B,Hkv,S,D(v)]; head h uses kv head floor(h / (H/Hkv)). */
function attentionRef(
  q: number[],
  k: number[],
  v: number[],
  [B, H, T, D]: number[],
  [Hkv, S, Dv]: number[],
  causal: boolean,
  mask?: number[],
): number[] {
  const out: number[] = [];
  const scale = 1 / Math.sqrt(D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / (H / Hkv));
      for (let i = 0; i < T; i++) {
        const scores: number[] = [];
        for (let j = 0; j < S; j++) {
          if (causal && j > i + (S - T)) break;
          let s = 0;
          for (let d = 0; d < D; d++)
            s += q[ravel([b, h, i, d], [B, H, T, D])] * k[ravel([b, kh, j, d], [B, Hkv, S, D])];
          scores.push(s * scale + (mask ? mask[i * S + j] : 0));
        }
        const p = softmaxRow(scores);
        for (let d = 0; d < Dv; d++) {
          let o = 0;
          p.forEach((pj, j) => {
            o += pj * v[ravel([b, kh, j, d], [B, Hkv, S, Dv])];
          });
          out.push(o);
        }
      }
    }
  }
  return out;
}

describe("scaledDotProductAttention", () => {
  const cases: [string, number[], number[], boolean][] = [
    ["MHA, full", [2, 2, 3, 4], [2, 3, 4], false],
    ["MHA, causal", [1, 2, 4, 4], [2, 4, 4], true],
    ["GQA 4:2, causal", [1, 4, 3, 4], [2, 3, 4], true],
    ["GQA 4:1 (MQA), causal, value dim differs", [2, 4, 3, 4], [1, 3, 2], true],
    ["GQA 2:1, causal with KV offset (T=2, S=5)", [1, 2, 2, 4], [1, 5, 4], true],
    ["one query after a cache (T=1, S=4)", [1, 2, 1, 4], [2, 4, 4], true],
  ];
  for (const [name, [B, H, T, D], [Hkv, S, Dv], causal] of cases) {
    it(`${name}: forward vs naive, backward`, () => {
      const q = randn32([B, H, T, D], 1);
      const k = randn32([B, Hkv, S, D], 2);
      const v = randn32([B, Hkv, S, Dv], 3);
      const ref = attentionRef(values(q), values(k), values(v), [B, H, T, D], [Hkv, S, Dv], causal);
      expectClose(scaledDotProductAttention(q, k, v, { causal }), ref, [B, H, T, Dv], 1e-5, 1e-5);
      gradcheck(
        (a, b, c) => scaledDotProductAttention(a, b, c, { causal }),
        [randn64([B, H, T, D], 4), randn64([B, Hkv, S, D], 5), randn64([B, Hkv, S, Dv], 6)],
      );
      float32GradsMatch((a, b, c) => scaledDotProductAttention(a, b, c, { causal }), [q, k, v]);
    });
  }

  it("additive mask and custom scale", () => {
    const q = randn32([1, 1, 2, 4], 1);
    const k = randn32([1, 1, 3, 4], 2);
    const v = randn32([1, 1, 3, 4], 3);
    const mask = [0, -1e9, 0, 0, 0, -1e9];
    const ref = attentionRef(values(q), values(k), values(v), [1, 1, 2, 4], [1, 3, 4], false, mask);
    const m = Tensor.from(mask, [2, 3]);
    expectClose(scaledDotProductAttention(q, k, v, { mask: m }), ref, [1, 1, 2, 4], 1e-5);
    const ref2 = attentionRef(values(q.mul(0.25)), values(k), values(v), [1, 1, 2, 4], [1, 3, 4], false);
    expectClose(scaledDotProductAttention(q, k, v, { scale: 0.125 }), ref2, [1, 1, 2, 4], 1e-5);
    gradcheck(
      (a, kk, vv) => scaledDotProductAttention(a, kk, vv, { mask: m, causal: true }),
      [randn64([1, 1, 2, 4], 7), k, v],
    );
    expect(() => scaledDotProductAttention(q.cast("float64"), k, v)).toThrow(
      /attention: q is float64, k float32, v float32/,
    );
  });

  it("shape errors name q, k and v", () => {
    const q = Tensor.ones([1, 3, 2, 4]);
    expect(() => scaledDotProductAttention(q, Tensor.ones([1, 2, 2, 4]), Tensor.ones([1, 2, 2, 4]))).toThrow(
      /3 query heads are not a multiple of 2 KV heads/,
    );
    expect(() => scaledDotProductAttention(q, Tensor.ones([1, 3, 2, 5]), Tensor.ones([1, 3, 2, 5]))).toThrow(
      ShapeError,
    );
    expect(() => scaledDotProductAttention(Tensor.ones([3, 2, 4]), q, q)).toThrow(
      /attention: q, k, v must be \[B, H, T, D\]/,
    );
  });
});
