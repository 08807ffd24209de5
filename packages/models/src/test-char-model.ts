/** A tiny random Llama with a character-level tokenizer, for generation and protocol tests. */
import type { CausalLM } from "./causal-lm.js";
import { createModel } from "./registry.js";
import { Tokenizer } from "./tokenizer.js";

const CHARS = [..." abcdefghijklmnopqrstuvwxyz.,!?\n"];

export function charTokenizer(): Tokenizer {
  const vocab: Record<string, number> = { "<eos>": 0 };
  CHARS.forEach((c, i) => {
    vocab[c] = i + 1;
  });
  const json = {
    version: "1.0",
    added_tokens: [
      {
        id: 0,
        content: "<eos>",
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: "Fuse" },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  };
  return new Tokenizer(json, { eos_token: "<eos>" });
}

export function charModel(): CausalLM {
  const model = createModel(
    {
      model_type: "llama",
      vocab_size: CHARS.length + 1,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 128,
      eos_token_id: 0,
    },
    { init: "random" },
  );
  model.tokenizer = charTokenizer();
  return model.eval();
}
