import { join } from "node:path";
import { createModel, loadPretrained } from "@shrinkray/models";
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { exportOnnx } from "./export.js";
import { compareWithOrt, FIXTURES, HAVE_FIXTURES, scratch, TOY } from "./test-helpers.js";

const FLOAT_TOL = 1e-4;

describe("float export: onnxruntime logits equal our forward, prompt and 5 cached decode steps", () => {
  it("the bundled toy Llama (batch of 2, one row left-padded)", async () => {
    const model = await loadPretrained(TOY);
    const out = join(scratch("toy"), "onnx-toy");
    const r = await exportOnnx(model, out);
    expect(r.layers.every((l) => l.kind === "float")).toBe(true);
    const c = await compareWithOrt(model, out, [
      [1, 17, 42, 99, 250, 7],
      [1, 300, 5, 61],
    ]);
    expect(c.maxDiff).toHaveLength(6);
    for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(FLOAT_TOL);
  });

  for (const name of ["tiny-llama", "tiny-qwen2", "tiny-gpt2"]) {
    it.skipIf(!HAVE_FIXTURES)(`the ${name} fixture`, async () => {
      const model = await loadPretrained(join(FIXTURES, name));
      const out = join(scratch(name), "onnx");
      await exportOnnx(model, out);
      const c = await compareWithOrt(model, out, [[1, 5, 9, 33, 20, 3, 60]]);
      for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(FLOAT_TOL);
    });
  }
});

const llamaLike = (extra: Record<string, unknown>) => ({
  vocab_size: 53,
  hidden_size: 64,
  intermediate_size: 96,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 16,
  max_position_embeddings: 64,
  ...extra,
});

const gpt2Like = (activation: string) => ({
  model_type: "gpt2",
  vocab_size: 53,
  n_positions: 32,
  n_embd: 48,
  n_layer: 2,
  n_head: 3,
  activation_function: activation,
});

describe("float export of each architecture variant (random weights)", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["qwen3: per-head q/k RMSNorm, tied head", llamaLike({ model_type: "qwen3", tie_word_embeddings: true })],
    ["qwen2: q/k/v biases", llamaLike({ model_type: "qwen2", rope_theta: 1e6 })],
    ["mistral (within its sliding window)", llamaLike({ model_type: "mistral", sliding_window: 4096 })],
    [
      "llama 3.1 rope_scaling, attention and MLP biases, multi-head (no GQA)",
      llamaLike({
        model_type: "llama",
        num_key_value_heads: 4,
        attention_bias: true,
        mlp_bias: true,
        rope_theta: 500000,
        rope_scaling: {
          rope_type: "llama3",
          factor: 8,
          low_freq_factor: 1,
          high_freq_factor: 4,
          original_max_position_embeddings: 16,
        },
      }),
    ],
    [
      "llama linear rope_scaling",
      llamaLike({ model_type: "llama", rope_scaling: { type: "linear", factor: 2 } }),
    ],
    ["gpt2 with exact GELU", gpt2Like("gelu")],
    ["gpt2 with ReLU", gpt2Like("relu")],
  ];
  for (const [title, config] of cases) {
    it(title, async () => {
      const model = createModel(config, { init: "random" });
      // Norm weights start at 1; move them so a mislaid norm cannot pass.
      noGrad(() => {
        for (const [n, p] of model.namedParameters())
          if (/norm|ln_/.test(n)) p.assign(p.add(Tensor.rand(p.shape).mul(0.4)));
      });
      const out = join(scratch("variant"), "onnx");
      await exportOnnx(model, out);
      const c = await compareWithOrt(model, out, [
        [3, 1, 4, 1, 5, 9, 2, 6],
        [5, 3, 5],
      ]);
      for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(FLOAT_TOL);
    });
  }
});
