/**
 * model_type (config.json) → the builder of its architecture, after transformers.js's
 * registry. Adding an architecture is one file and one line here.
 */
import { BloomForCausalLM } from "./architectures/bloom.js";
import { GPT2LMHeadModel } from "./architectures/gpt2.js";
import { LlamaForCausalLM } from "./architectures/llama.js";
import { OPTForCausalLM } from "./architectures/opt.js";
import type { CausalLM } from "./causal-lm.js";
import type { RawConfig } from "./config.js";
import { UnknownArchitectureError } from "./errors.js";
import type { BuildOptions } from "./layers.js";

export type ModelBuilder = (config: RawConfig, opts: BuildOptions) => CausalLM;

const REGISTRY = new Map<string, ModelBuilder>([
  ["llama", (c, o) => new LlamaForCausalLM(c, o)],
  ["mistral", (c, o) => new LlamaForCausalLM(c, o)],
  ["qwen2", (c, o) => new LlamaForCausalLM(c, o)],
  ["qwen3", (c, o) => new LlamaForCausalLM(c, o)],
  ["gpt2", (c, o) => new GPT2LMHeadModel(c, o)],
  ["opt", (c, o) => new OPTForCausalLM(c, o)],
  ["bloom", (c, o) => new BloomForCausalLM(c, o)],
]);

export function supportedModelTypes(): string[] {
  return [...REGISTRY.keys()];
}

/** Lets a user plug in an architecture of their own without forking this package. */
export function registerArchitecture(modelType: string, builder: ModelBuilder): void {
  REGISTRY.set(modelType, builder);
}

/**
 * Builds the architecture `config.model_type` names. Weights start as zeros (init "empty", for
 * loading) unless `init: "random"` asks for the layers' usual random initialisation.
 */
export function createModel(config: RawConfig, opts: BuildOptions & { file?: string } = {}): CausalLM {
  const type = config.model_type;
  const build = typeof type === "string" ? REGISTRY.get(type) : undefined;
  if (!build)
    throw new UnknownArchitectureError(opts.file ?? "config.json", String(type), supportedModelTypes());
  return build(config, opts);
}
