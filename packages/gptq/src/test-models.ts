/*
 * Test-only: the tiny Hugging Face fixtures (../shared/fixtures/models, random weights) loaded
 * through @shrinkray/models (a devDependency: the package itself never imports it), and
 * seeded random token batches to calibrate and evaluate them with.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type CausalLM, loadPretrained } from "@shrinkray/models";
import { Generator, noGrad, Tensor } from "@shrinkray/tensor-cuda";

export const MODEL_FIXTURES = fileURLToPath(new URL("../../../../shared/fixtures/models/", import.meta.url));
export const haveModelFixtures = existsSync(`${MODEL_FIXTURES}tiny-llama/config.json`);
export const MODELS_SKIP = `model fixtures not found at ${MODEL_FIXTURES} (a clone without ../shared): skipping`;
export const TINY_MODELS = ["tiny-llama", "tiny-gpt2", "tiny-qwen2"] as const;

/** Small configs of each architecture family, for models built by the tests (createModel). */
export const SMALL_CONFIGS = {
  llama: {
    model_type: "llama",
    vocab_size: 40,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 1,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 16,
  },
  gpt2: { model_type: "gpt2", vocab_size: 40, n_positions: 16, n_embd: 32, n_layer: 1, n_head: 4 },
  bloom: { model_type: "bloom", vocab_size: 40, hidden_size: 32, n_layer: 1, n_head: 4 },
  opt: {
    model_type: "opt",
    vocab_size: 40,
    hidden_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 4,
    ffn_dim: 64,
    max_position_embeddings: 16,
    word_embed_proj_dim: 32,
  },
};

export function loadTiny(name: (typeof TINY_MODELS)[number]): Promise<CausalLM> {
  return loadPretrained(`${MODEL_FIXTURES}${name}`, { tokenizer: false });
}

/** `n` batches of int32 [batch, length] uniform random token ids. */
export function randomBatches(
  vocab: number,
  n: number,
  batch: number,
  length: number,
  seed: number,
): Tensor[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () =>
    Tensor.from(
      Int32Array.from({ length: batch * length }, () => g.int(vocab)),
      [batch, length],
    ),
  );
}

export function logitsOf(model: CausalLM, ids: Tensor): Float32Array {
  return noGrad(() => model.forward(ids).dataSync() as Float32Array);
}

/** Mean next-token NLL (nats) of the batches under the model. */
export function meanNll(model: CausalLM, batches: Tensor[]): number {
  let sum = 0;
  let count = 0;
  for (const ids of batches) {
    const [B, T] = ids.shape;
    const logits = logitsOf(model, ids);
    const tok = ids.dataSync() as Int32Array;
    const V = logits.length / (B * T);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T - 1; t++) {
        const row = logits.subarray((b * T + t) * V, (b * T + t + 1) * V);
        let max = Number.NEGATIVE_INFINITY;
        for (const v of row) max = Math.max(max, v);
        let z = 0;
        for (const v of row) z += Math.exp(v - max);
        sum += Math.log(z) + max - row[tok[b * T + t + 1]];
        count++;
      }
    }
  }
  return sum / count;
}
