/*
 * The DESIGN.md language-model protocol over an OpenAI-compatible server. The protocol types are
 * declared here again, structurally, so this package imports no sibling: any evaluation package
 * accepts an `OpenAICompatibleLM` because its shape matches.
 */
import { ApiClient, type ClientOptions } from "./client.js";
import { type GenerateOptions, type GenerateRequest, generate } from "./generate.js";
import {
  type LoglikelihoodOptions,
  type LoglikelihoodRequest,
  type LoglikelihoodResult,
  loglikelihood,
} from "./loglikelihood.js";
import type { PromptTokenizer } from "./tokenizer.js";

export interface LanguageModel {
  /** One completion per request, in request order. */
  generate(reqs: GenerateRequest[]): Promise<string[]>;
  loglikelihood(reqs: LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]>;
}

export interface OpenAILMOptions extends ClientOptions, Omit<GenerateOptions, "batchSize" | "extraBody"> {
  /** Prompts per /v1/completions request, for generation and scoring alike (default 1). */
  batchSize?: number;
  /** See `LoglikelihoodOptions.scoringMaxTokens`. */
  scoringMaxTokens?: number;
  /**
   * The served model's tokenizer: scoring then sends token ids and counts the context in tokens
   * instead of relying on the server's character offsets (see `LoglikelihoodOptions.tokenizer`).
   */
  tokenizer?: PromptTokenizer;
  /** Merged into every request body (server-specific fields). */
  extraBody?: Record<string, unknown>;
}

export class OpenAICompatibleLM implements LanguageModel {
  readonly client: ApiClient;
  readonly #opts: OpenAILMOptions;

  constructor(opts: OpenAILMOptions) {
    this.client = new ApiClient(opts);
    this.#opts = opts;
  }

  generate(reqs: GenerateRequest[]): Promise<string[]> {
    return generate(this.client, reqs, this.#opts);
  }

  loglikelihood(reqs: LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    const o: LoglikelihoodOptions = this.#opts;
    return loglikelihood(this.client, reqs, o);
  }
}
