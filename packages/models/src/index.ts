export {
  alibiBias,
  alibiSlopes,
  type BloomConfig,
  BloomForCausalLM,
  parseBloomConfig,
} from "./architectures/bloom.js";
export { type GPT2Config, GPT2LMHeadModel, parseGPT2Config } from "./architectures/gpt2.js";
export { type LlamaConfig, LlamaForCausalLM, parseLlamaConfig } from "./architectures/llama.js";
export { type OPTConfig, OPTForCausalLM, parseOPTConfig } from "./architectures/opt.js";
export { writeDirAtomic } from "./atomic-dir.js";
export { CausalLM, type DecoderBlock } from "./causal-lm.js";
export type { RawConfig } from "./config.js";
export type { DecoderContext, ForwardOptions } from "./context.js";
export {
  MissingTensorError,
  ModelConfigError,
  TensorShapeError,
  UnknownArchitectureError,
} from "./errors.js";
export {
  type FinishReason,
  type GenerateOptions,
  type GenerateResult,
  generateText,
  generateTokens,
} from "./generate.js";
export { type GenerationConfig, parseGenerationConfig } from "./generation-config.js";
export { KVCache } from "./kv-cache.js";
export {
  type GenerateRequest,
  type LanguageModelOptions,
  type LoglikelihoodRequest,
  type LoglikelihoodResult,
  ModelLanguageModel,
} from "./language-model.js";
export type { BuildOptions, Init } from "./layers.js";
export { type LoadOptions, loadPretrained, loadWeights } from "./load.js";
export { type ModelCard, type ModelCardMetric, renderModelCard } from "./model-card.js";
export { createModel, type ModelBuilder, registerArchitecture, supportedModelTypes } from "./registry.js";
export { argmax, nextToken, type SamplingOptions } from "./sampling.js";
export { configDtype, type SaveOptions, type StorageDtype, saveModel } from "./save.js";
export {
  ModelTokenScorer,
  perplexity,
  slidingWindows,
  type TokenScorer,
  type TokenWindow,
  type WindowScore,
} from "./scorer.js";
export { readSideFiles, SIDE_FILES } from "./side-files.js";
export { type ChatMessage, type ChatTemplateOptions, Tokenizer } from "./tokenizer.js";
export type { CheckpointContents, WeightFormat } from "./weight-format.js";
