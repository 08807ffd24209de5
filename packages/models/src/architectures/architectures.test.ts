import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, nn, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { loadPretrained } from "../load.js";
import { createModel } from "../registry.js";
import { fixtureDir, HAVE_FIXTURES } from "../test-fixtures.js";

const ids = Tensor.from(Int32Array.from([1, 5, 9, 14, 3, 7, 22, 41]), [1, 8]);
const same = (a: Tensor, b: Tensor) =>
  Buffer.from(a.dataSync().buffer).equals(Buffer.from(b.dataSync().buffer));

describe("llama family", () => {
  it("qwen3 has per-head q/k norms and round-trips through save", async () => {
    const model = createModel(
      {
        model_type: "qwen3",
        vocab_size: 64,
        hidden_size: 32,
        intermediate_size: 48,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        head_dim: 16,
        tie_word_embeddings: true,
      },
      { init: "random" },
    );
    expect(model.getParameter("model.layers.0.self_attn.q_norm.weight").shape).toEqual([16]);
    expect(model.getParameter("model.layers.0.self_attn.k_norm.weight").shape).toEqual([16]);
    expect(model.get("model.layers.1.mlp.down_proj")).toBeInstanceOf(nn.Linear);
    const dir = await mkdtemp(join(tmpdir(), "qwen3-"));
    await model.save(dir);
    const back = await loadPretrained(dir);
    expect(
      same(
        noGrad(() => back.forward(ids)),
        noGrad(() => model.forward(ids)),
      ),
    ).toBe(true);
  });

  it("mistral with a sliding window refuses sequences longer than it", () => {
    const model = createModel({
      model_type: "mistral",
      vocab_size: 64,
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      sliding_window: 4,
    });
    expect(() => noGrad(() => model.forward(ids))).toThrow(/sliding_window 4/);
  });
});

describe.skipIf(!HAVE_FIXTURES)("gpt2 Conv1D orientation", () => {
  it("saves c_attn back as [in, out], bit-identical to the source checkpoint", async () => {
    const model = await loadPretrained(fixtureDir("tiny-gpt2"));
    expect(model.getParameter("transformer.h.0.mlp.c_fc.weight").shape).toEqual([256, 64]);
    const dir = await mkdtemp(join(tmpdir(), "gpt2-"));
    await model.save(dir);
    const src = await io.loadSafetensors(join(fixtureDir("tiny-gpt2"), "model.safetensors"));
    const out = await io.loadSafetensors(join(dir, "model.safetensors"));
    expect([...out.keys()].sort()).toEqual([...src.keys()].sort());
    for (const [k, t] of src) expect(same(out.get(k)!, t), k).toBe(true);
  });
});
