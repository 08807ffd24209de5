export { cacheKey, JsonlCache } from "./cache.js";
export {
  ApiClient,
  type ClientOptions,
  logRetry,
  normaliseEndpoint,
  type PostOptions,
  type RetryInfo,
} from "./client.js";
export type { TokenLogprobs, TopAlternatives } from "./completions.js";
export {
  createRemoteLM,
  createRemoteTeacher,
  parseRemoteModelConfig,
  parseRemoteTeacherConfig,
  type RemoteModelConfig,
  type RemoteTeacherConfig,
  type TuningOptions,
} from "./config.js";
export {
  ConfigError,
  type ErrorOrigin,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
  NoPromptLogprobsError,
  OpenAILMError,
  UnscorableTokenError,
} from "./errors.js";
export { type ChatMessage, cutAtStop, type GenerateOptions, type GenerateRequest } from "./generate.js";
export type { LoglikelihoodOptions, LoglikelihoodRequest, LoglikelihoodResult } from "./loglikelihood.js";
export { type LanguageModel, OpenAICompatibleLM, type OpenAILMOptions } from "./openai-lm.js";
export { Semaphore } from "./semaphore.js";
export { type RemoteTeacherOptions, RemoteTopkTeacher } from "./teacher.js";
export {
  type PromptTokenizer,
  type TokenizedPair,
  TokenTextIndex,
  type TokenVocabulary,
  tokenizePair,
} from "./tokenizer.js";
export type {
  RawSequence,
  TeacherInput,
  TopkPosition,
  TopkSequence,
  TopkTeacherOptions,
} from "./topk-teacher.js";
