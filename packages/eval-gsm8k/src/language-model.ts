// The language-model protocol shared by every evaluation package (DESIGN.md), modelled on
// lm-evaluation-harness's `generate_until` and `loglikelihood`. Declared here, structurally, so
// this package evaluates our models, an ONNX session or a remote server without importing any.

export interface GenerateRequest {
  prompt: string;
  maxNewTokens: number;
  /** Generation stops before any of these strings; the result excludes them. */
  stop?: string[];
}

export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

/**
 * A completion with how it ended, for models that know: "length" means it hit `maxNewTokens`
 * before a stop string or end of text, which lowers the confidence of the answer read from it.
 */
export interface Generation {
  text: string;
  finishReason?: "stop" | "length";
}

export interface LanguageModel {
  /** One completion per request, in request order: the text, or the text and how it ended. */
  generate(reqs: GenerateRequest[]): Promise<(string | Generation)[]>;
  loglikelihood(reqs: LoglikelihoodRequest[]): Promise<{ logprob: number; greedy: boolean }[]>;
}

/** What GSM8K needs of a model: generation only. Any `LanguageModel` satisfies it. */
export type Generator = Pick<LanguageModel, "generate">;
