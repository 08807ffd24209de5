import { copyFile, mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  crossEntropy,
  Generator,
  io,
  nn,
  noGrad,
  ops,
  scaledDotProductAttention,
  Tensor,
} from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import type { CausalLM } from "../causal-lm.js";
import { loadPretrained } from "../load.js";
import { createModel } from "../registry.js";
import { alibiBias, alibiSlopes } from "./bloom.js";

const TINY_BLOOM = {
  model_type: "bloom",
  vocab_size: 50,
  hidden_size: 32,
  n_layer: 2,
  n_head: 4,
  layer_norm_epsilon: 1e-5,
  apply_residual_connection_post_layernorm: false,
  tie_word_embeddings: true,
  bos_token_id: 1,
  eos_token_id: 2,
  pad_token_id: 3,
};

const ids = (rows: number[][]) => Tensor.from(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);
const ROWS = [
  [1, 5, 9, 14, 3, 7, 22, 41, 2, 8],
  [30, 11, 6, 19, 25, 4, 17, 44, 12, 9],
];
const same = (a: Tensor, b: Tensor) =>
  Buffer.from(a.dataSync().buffer).equals(Buffer.from(b.dataSync().buffer));

function maxAbs(a: Tensor | ArrayLike<number>, b: Tensor | ArrayLike<number>): number {
  const x = a instanceof Tensor ? a.dataSync() : a;
  const y = b instanceof Tensor ? b.dataSync() : b;
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  return m;
}

/** A random tiny BLOOM whose LayerNorms are random too, so a misplaced norm shows in the logits. */
function tinyBloom(extra: Record<string, unknown> = {}, seed = 7): CausalLM {
  const model = createModel({ ...TINY_BLOOM, ...extra }, { init: "random" });
  const g = new Generator(seed);
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      if (!/layernorm|ln_f/.test(name)) continue;
      const noise = Tensor.randn(p.shape, { generator: g }).mul(0.2);
      p.assign(name.endsWith(".weight") ? noise.add(1) : noise);
    }
  });
  return model;
}

/**
 * BLOOM written out in float64 loops from the HF description, independent of the tensor code:
 * q, k, v read per head from the fused rows, and ALiBi in the paper's relative form
 * slope_h · (j − i) with slope_h = 2^(-8h/H) (H a power of two here).
 */
function referenceLogits(model: CausalLM, tokens: number[], residualAfterNorm: boolean): Float64Array {
  const { hidden_size: d, n_head: H, n_layer: L, vocab_size: V, layer_norm_epsilon: eps } = TINY_BLOOM;
  const D = d / H;
  const T = tokens.length;
  const w = (n: string) => Float64Array.from(model.getParameter(n).dataSync() as Float32Array);
  const linear = (x: Float64Array[], name: string, bias = true) => {
    const W = w(`${name}.weight`);
    const b = bias ? w(`${name}.bias`) : null;
    const out = W.length / x[0].length;
    return x.map((row) =>
      Float64Array.from({ length: out }, (_, o) => {
        let s = b ? b[o] : 0;
        for (let i = 0; i < row.length; i++) s += W[o * row.length + i] * row[i];
        return s;
      }),
    );
  };
  const layerNorm = (x: Float64Array[], name: string) => {
    const g = w(`${name}.weight`);
    const b = w(`${name}.bias`);
    return x.map((row) => {
      const mean = row.reduce((a, v) => a + v, 0) / row.length;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
      return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * g[i] + b[i]);
    });
  };
  const add = (a: Float64Array[], b: Float64Array[]) => a.map((r, t) => r.map((v, i) => v + b[t][i]));
  const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

  const emb = w("transformer.word_embeddings.weight");
  let h = layerNorm(
    tokens.map((id) => emb.slice(id * d, (id + 1) * d)),
    "transformer.word_embeddings_layernorm",
  );
  for (let l = 0; l < L; l++) {
    const p = `transformer.h.${l}`;
    const n1 = layerNorm(h, `${p}.input_layernorm`);
    const qkv = linear(n1, `${p}.self_attention.query_key_value`);
    const ctx = Array.from({ length: T }, () => new Float64Array(d));
    for (let hd = 0; hd < H; hd++) {
      const slope = 2 ** ((-8 * (hd + 1)) / H);
      const part = (t: number, which: number) =>
        qkv[t].subarray(hd * 3 * D + which * D, hd * 3 * D + (which + 1) * D);
      for (let i = 0; i < T; i++) {
        const scores = Array.from({ length: i + 1 }, (_, j) => {
          let s = 0;
          for (let e = 0; e < D; e++) s += part(i, 0)[e] * part(j, 1)[e];
          return s / Math.sqrt(D) + slope * (j - i);
        });
        const top = Math.max(...scores);
        const ex = scores.map((s) => Math.exp(s - top));
        const z = ex.reduce((a, v) => a + v, 0);
        for (let j = 0; j <= i; j++)
          for (let e = 0; e < D; e++) ctx[i][hd * D + e] += (ex[j] / z) * part(j, 2)[e];
      }
    }
    h = add(residualAfterNorm ? n1 : h, linear(ctx, `${p}.self_attention.dense`));
    const n2 = layerNorm(h, `${p}.post_attention_layernorm`);
    const f = linear(n2, `${p}.mlp.dense_h_to_4h`).map((r) => r.map(gelu));
    h = add(residualAfterNorm ? n2 : h, linear(f, `${p}.mlp.dense_4h_to_h`));
  }
  const logits = linear(layerNorm(h, "transformer.ln_f"), "transformer.word_embeddings", false);
  expect(logits[0].length).toBe(V);
  const out = new Float64Array(T * V);
  for (let t = 0; t < T; t++) out.set(logits[t], t * V);
  return out;
}

describe("ALiBi", () => {
  // The paper's slopes: 2^(-8h/n) for n a power of two; other head counts take the 2^k below
  // and every other slope of the 2^(k+1) sequence.
  const paper = (n: number) => Array.from({ length: n }, (_, h) => 2 ** ((-8 * (h + 1)) / n));

  it("slopes follow the formula for 4, 6 and 8 heads", () => {
    expect([...alibiSlopes(4)]).toEqual(paper(4));
    expect([...alibiSlopes(8)]).toEqual(paper(8));
    const six = [
      ...paper(4),
      ...paper(8)
        .filter((_, h) => h % 2 === 0)
        .slice(0, 2),
    ];
    expect(six).toEqual([1 / 4, 1 / 16, 1 / 64, 1 / 256, 1 / 2, 1 / 8]);
    expect([...alibiSlopes(6)]).toEqual(six);
  });

  it("the key-only bias equals the paper's slope · (j − i) after softmax", () => {
    const H = 6;
    const T = 5;
    const slopes = alibiSlopes(H);
    const bias = alibiBias(slopes, null, 1, T);
    expect(bias.shape).toEqual([1, H, 1, T]);
    const b = bias.dataSync() as Float32Array;
    for (let h = 0; h < H; h++)
      for (let j = 0; j < T; j++) expect(b[h * T + j]).toBe(Math.fround(slopes[h] * j));

    const relative = new Float32Array(H * T * T);
    for (let h = 0; h < H; h++)
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) relative[(h * T + i) * T + j] = slopes[h] * (j - i);
    const g = new Generator(3);
    const [q, k, v] = [0, 1, 2].map(() => Tensor.randn([2, H, T, 8], { generator: g }));
    const keyOnly = scaledDotProductAttention(q, k, v, { causal: true, mask: bias });
    const paperForm = scaledDotProductAttention(q, k, v, {
      causal: true,
      mask: Tensor.from(relative, [1, H, T, T]),
    });
    expect(maxAbs(keyOnly, paperForm)).toBeLessThan(1e-6);
  });

  it("positions count only a row's real tokens, and padding keys are masked", () => {
    const slopes = alibiSlopes(4);
    const mask = Int32Array.from([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    const b = alibiBias(slopes, mask, 2, 5).dataSync() as Float32Array;
    const row0 = Array.from(b.subarray(0, 5));
    expect(row0.slice(0, 2).every((x) => x <= -1e29)).toBe(true);
    expect(row0.slice(2)).toEqual([0, 0.25, 0.5]);
    expect(Array.from(b.subarray(4 * 5, 4 * 5 + 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe("a tiny BLOOM made here", () => {
  for (const post of [false, true]) {
    it(`matches a float64 reference (residual ${post ? "after" : "before"} the norm)`, () => {
      const model = tinyBloom({ apply_residual_connection_post_layernorm: post });
      noGrad(() => {
        for (const row of ROWS) {
          const logits = model.forward(ids([row]));
          expect(maxAbs(logits, referenceLogits(model, row, post))).toBeLessThan(1e-4);
        }
      });
    });
  }

  it("forward, backward: gradients reach every parameter; the four linears are nn.Linear", () => {
    const model = tinyBloom();
    const x = ids(ROWS);
    const logits = model.forward(x);
    expect(logits.shape).toEqual([2, 10, 50]);
    crossEntropy(logits.slice(1, 0, 9), x.slice(1, 1)).backward();
    const qkv = model.getParameter("transformer.h.1.self_attention.query_key_value.weight");
    expect(qkv.shape).toEqual([96, 32]);
    expect(qkv.grad?.shape).toEqual([96, 32]);
    for (const [name, p] of model.namedParameters()) {
      expect(p.grad, name).not.toBeNull();
      expect(maxAbs(p.grad!, new Float32Array(p.size)), name).toBeGreaterThan(0);
    }

    const view = model.decoderView();
    for (const block of view.blocks) {
      const linears = block
        .namedModules()
        .filter(([, m]) => m instanceof nn.Linear)
        .map(([n]) => n);
      expect(linears.sort()).toEqual([
        "mlp.dense_4h_to_h",
        "mlp.dense_h_to_4h",
        "self_attention.dense",
        "self_attention.query_key_value",
      ]);
    }
  });

  it("save → loadPretrained reproduces logits exactly; the tied head is saved once", async () => {
    const model = tinyBloom();
    const dir = await mkdtemp(join(tmpdir(), "bloom-"));
    await model.save(dir);
    expect((await readdir(dir)).sort()).toEqual(["config.json", "model.safetensors"]);
    const stored = await io.SafetensorsFile.open(join(dir, "model.safetensors"));
    expect(stored.has("lm_head.weight")).toBe(false);
    expect(stored.has("transformer.word_embeddings.weight")).toBe(true);
    await stored.close();

    const x = ids(ROWS);
    const back = await loadPretrained(dir);
    expect(
      same(
        noGrad(() => back.forward(x)),
        noGrad(() => model.forward(x)),
      ),
    ).toBe(true);

    // bigscience/bloom-* store the tensors without the "transformer." prefix.
    const bare = await mkdtemp(join(tmpdir(), "bloom-bare-"));
    const tensors = await io.loadSafetensors(join(dir, "model.safetensors"));
    const renamed = new Map([...tensors].map(([k, t]) => [k.replace(/^transformer\./, ""), t]));
    await io.saveSafetensors(join(bare, "model.safetensors"), renamed);
    await copyFile(join(dir, "config.json"), join(bare, "config.json"));
    const fromBare = await loadPretrained(bare, { strict: true });
    expect(
      same(
        noGrad(() => fromBare.forward(x)),
        noGrad(() => model.forward(x)),
      ),
    ).toBe(true);
  });

  it("the DecoderView runs the same computation block by block", () => {
    const model = tinyBloom();
    const view = model.decoderView();
    expect(view.blocks.length).toBe(2);
    expect(view.blockName(1)).toBe("transformer.h.1");
    const x = ids(ROWS);
    const mask = Tensor.from(
      Int32Array.from([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, ...ROWS[1].map(() => 1)]),
      [2, 10],
    );
    noGrad(() => {
      for (const attentionMask of [null, mask]) {
        let { hidden, context } = view.embed(x, { attentionMask });
        for (let i = 0; i < view.blocks.length; i++) hidden = view.runBlock(i, hidden, context);
        expect(same(view.head(hidden), model.forward(x, { attentionMask }))).toBe(true);
      }
    });
  });

  it("prefill + one token at a time equals the full forward", () => {
    const model = tinyBloom();
    noGrad(() => {
      const full = model.forward(ids(ROWS));
      const cache = model.newCache();
      const parts = [model.forward(ids(ROWS.map((r) => r.slice(0, 6))), { cache })];
      for (let t = 6; t < 10; t++)
        parts.push(model.forward(ids(ROWS.map((r) => r.slice(t, t + 1))), { cache }));
      expect(cache.length).toBe(10);
      expect(maxAbs(ops.cat(parts, 1), full)).toBeLessThan(1e-5);
    });
  });

  it("a left-padded row gives the logits it gives alone, in one forward and incrementally", () => {
    const model = tinyBloom({ n_head: 8 });
    const short = [4, 8, 15, 16, 23];
    const long = [42, 7, 3, 9, 11, 13, 17, 19];
    const pad = long.length - short.length;
    const mask = [[...Array(pad).fill(0), ...short.map(() => 1)], long.map(() => 1)];
    const batchIds = ids([[...Array(pad).fill(3), ...short], long]);
    noGrad(() => {
      const batch = model.forward(batchIds, { attentionMask: mask });
      expect(maxAbs(batch.slice(0, 0, 1).slice(1, pad), model.forward(ids([short])))).toBeLessThan(1e-5);
      expect(maxAbs(batch.slice(0, 1, 2), model.forward(ids([long])))).toBeLessThan(1e-5);

      const cache = model.newCache();
      model.forward(batchIds, { attentionMask: mask, cache });
      const step = model.forward(ids([[31], [31]]), { cache });
      const ref = model.forward(ids([[...short, 31]])).slice(1, short.length);
      expect(maxAbs(step.slice(0, 0, 1), ref)).toBeLessThan(1e-5);
    });
  });
});
