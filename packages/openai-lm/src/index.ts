export { ApiClient, type ClientOptions, type RetryInfo, normaliseEndpoint } from "./client.js";
export { JsonlCache, cacheKey } from "./cache.js";
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
export { type ChatMessage, type GenerateOptions, type GenerateRequest, cutAtStop } from "./generate.js";
export {
  type LoglikelihoodOptions,
  type LoglikelihoodRequest,
  type LoglikelihoodResult,
  scoreContinuation,
} from "./loglikelihood.js";
export type { TokenLogprobs, TopAlternatives } from "./completions.js";
export { type LanguageModel, OpenAICompatibleLM, type OpenAILMOptions } from "./openai-lm.js";
export { Semaphore } from "./semaphore.js";
export { RemoteTopkTeacher, type RemoteTeacherOptions } from "./teacher.js";
export type { RawSequence, TeacherInput, TopkPosition, TopkSequence, TopkTeacherOptions } from "./topk-teacher.js";
