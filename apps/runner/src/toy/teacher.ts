/**
 * The toy teacher: a small Llama (RMSNorm, rotary positions, grouped-query attention, SwiGLU)
 * built from a config.json, initialised as transformers initialises Llama (normal, std 0.02),
 * carrying its tokenizer files so save() writes a complete Hugging Face directory.
 */
import { type CausalLM, createModel, parseGenerationConfig, Tokenizer } from "@shrinkray/models";
import { Generator, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { SPECIAL_TOKENS, tokenizerConfig, tokenizerJson } from "./tokenizer.js";

export interface TeacherShape {
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediateSize: number;
  maxPositions: number;
}

export const DEFAULT_SHAPE: TeacherShape = {
  hiddenSize: 128,
  layers: 4,
  heads: 4,
  kvHeads: 2,
  intermediateSize: 384,
  maxPositions: 256,
};

export interface ToyTokenizerFiles {
  json: Record<string, unknown>;
  config: Record<string, unknown>;
  tokenizer: Tokenizer;
  vocabSize: number;
}

export function toyTokenizer(merges: readonly [string, string][], maxLength: number): ToyTokenizerFiles {
  const json = tokenizerJson(merges);
  const config = tokenizerConfig(maxLength);
  const vocab = (json.model as { vocab: Record<string, number> }).vocab;
  const vocabSize = Math.max(...Object.values(vocab)) + 1;
  const templates = { default: config.chat_template as string };
  return { json, config, tokenizer: new Tokenizer(json, config, templates), vocabSize };
}

export function teacherConfig(shape: TeacherShape, vocabSize: number): Record<string, unknown> {
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    vocab_size: vocabSize,
    hidden_size: shape.hiddenSize,
    intermediate_size: shape.intermediateSize,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    head_dim: shape.hiddenSize / shape.heads,
    hidden_act: "silu",
    max_position_embeddings: shape.maxPositions,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: false,
    attention_bias: false,
    mlp_bias: false,
    initializer_range: 0.02,
    pad_token_id: 0,
    bos_token_id: 1,
    eos_token_id: 2,
  };
}

/** A freshly initialised teacher with its tokenizer attached (ready to train and save). */
export function createTeacher(shape: TeacherShape, tok: ToyTokenizerFiles, seed: number): CausalLM {
  const config = teacherConfig(shape, tok.vocabSize);
  const model = createModel(config, { init: "empty" });
  const gen = new Generator(seed);
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      // transformers' LlamaPreTrainedModel._init_weights: N(0, 0.02) for linear and embedding
      // weights, ones for the norms.
      const init = name.endsWith("norm.weight")
        ? Tensor.ones(p.shape)
        : Tensor.randn(p.shape, { generator: gen }).mul(0.02);
      p.assign(init);
    }
  });
  const ids = {
    bos: tok.tokenizer.tokenToId(SPECIAL_TOKENS.bos),
    eos: tok.tokenizer.tokenToId(SPECIAL_TOKENS.eos),
  };
  const generation = { bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: 0, do_sample: false };
  model.generationConfig = parseGenerationConfig(generation, config);
  model.tokenizer = tok.tokenizer;
  const text = (o: unknown) => new TextEncoder().encode(`${JSON.stringify(o, null, 2)}\n`);
  model.sideFiles = new Map([
    ["tokenizer.json", text(tok.json)],
    ["tokenizer_config.json", text(tok.config)],
  ]);
  return model;
}
