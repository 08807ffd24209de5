/*
 * Every error names the endpoint and model it came from: a run talks to several servers (the
 * evaluated model, the teacher) and "HTTP 400" alone does not say which one refused. No error
 * ever carries request headers, so the API key cannot leak into a log through one.
 */

/** Where a request went; every error of this package carries it. */
export interface ErrorOrigin {
  endpoint: string;
  model: string;
}

export class OpenAILMError extends Error {
  override name = "OpenAILMError";
  readonly endpoint: string;
  readonly model: string;
  constructor(origin: ErrorOrigin, detail: string, options?: { cause?: unknown }) {
    super(`${origin.endpoint} (model ${origin.model}): ${detail}`, options);
    this.endpoint = origin.endpoint;
    this.model = origin.model;
  }
}

/** The server answered with a non-success status that retrying will not fix (or retries ran out). */
export class HttpStatusError extends OpenAILMError {
  override name = "HttpStatusError";
  constructor(
    origin: ErrorOrigin,
    readonly status: number,
    readonly body: string,
    readonly attempts: number,
  ) {
    super(origin, `HTTP ${status}${attempts > 1 ? ` after ${attempts} attempts` : ""}: ${body}`);
  }
}

/** No answer at all: connection refused or reset, DNS failure, or the per-request timeout fired. */
export class NetworkError extends OpenAILMError {
  override name = "NetworkError";
  constructor(
    origin: ErrorOrigin,
    detail: string,
    readonly attempts: number,
    cause?: unknown,
  ) {
    super(origin, `${detail}${attempts > 1 ? ` (after ${attempts} attempts)` : ""}`, { cause });
  }
}

/** The body was not JSON, or lacked a field this package needs; `field` is its path. */
export class MalformedResponseError extends OpenAILMError {
  override name = "MalformedResponseError";
  constructor(
    origin: ErrorOrigin,
    readonly field: string,
    detail: string,
  ) {
    super(origin, `malformed response: ${field} ${detail}`);
  }
}

/**
 * The server does not return log-probabilities of prompt tokens (echo + logprobs): it refuses
 * echo (OpenAI's API for current models with 400, llama.cpp's server with 500 "Only no echo is
 * supported"), ignores it, or echoes the prompt unscored. vLLM and SGLang return them.
 */
export class NoPromptLogprobsError extends OpenAILMError {
  override name = "NoPromptLogprobsError";
  constructor(origin: ErrorOrigin, detail: string) {
    super(
      origin,
      `${detail}. Scoring needs the log-probabilities of prompt tokens (echo: true with logprobs), ` +
        "which this server does not return; serve the model with vLLM or SGLang for loglikelihood and top-k " +
        "teachers (llama.cpp's server rejects echo, OpenAI's API refuses it with logprobs)",
    );
  }
}

/** A scored token has no log-probability: the first token of the prompt predicts nothing. */
export class UnscorableTokenError extends OpenAILMError {
  override name = "UnscorableTokenError";
}

/** The configuration object is not usable; `field` names the bad key. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}
