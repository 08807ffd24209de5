/*
 * A served teacher bound to one endpoint, model and k: what the runner builds from an experiment
 * config's `{ endpoint, model, topK }` and hands to distillation.
 */
import { JsonlCache } from "./cache.js";
import { ApiClient, type ClientOptions } from "./client.js";
import { TokenTextIndex, type TokenVocabulary } from "./tokenizer.js";
import {
  type RawSequence,
  type TeacherInput,
  type TopkSequence,
  type TopkTeacherOptions,
  topkLogprobs,
} from "./topk-teacher.js";

export interface RemoteTeacherOptions extends ClientOptions, Omit<TopkTeacherOptions, "cache" | "textIndex"> {
  topK: number;
  /** Directory of the on-disk answer cache; none when absent. */
  cacheDir?: string;
  /**
   * The served model's vocabulary, for servers that name tokens by text (SGLang): each text is
   * mapped back to the one id that decodes to it, and a text that several ids decode to is an
   * error. Indexed on first use (one `decode` per id). Not needed with vLLM, which names ids.
   */
  vocabulary?: TokenVocabulary;
}

export class RemoteTopkTeacher {
  readonly client: ApiClient;
  readonly topK: number;
  readonly #opts: RemoteTeacherOptions;
  #cache: Promise<JsonlCache<RawSequence>> | undefined;
  #textIndex: TokenTextIndex | undefined;

  constructor(opts: RemoteTeacherOptions) {
    if (!Number.isInteger(opts.topK) || opts.topK < 1)
      throw new RangeError(`topK must be an integer >= 1, got ${opts.topK}`);
    this.client = new ApiClient(opts);
    this.topK = opts.topK;
    this.#opts = opts;
  }

  /** Top-k log-probabilities per position of each input (see `TopkSequence` for the alignment). */
  async topkLogprobs(inputs: readonly TeacherInput[], k: number = this.topK): Promise<TopkSequence[]> {
    const cache = await this.#openCache();
    const { vocabulary } = this.#opts;
    const textIndex = vocabulary ? () => (this.#textIndex ??= new TokenTextIndex(vocabulary)) : undefined;
    return topkLogprobs(this.client, inputs, k, { ...this.#opts, cache, textIndex });
  }

  /** Writes the cache index; call when a run ends. */
  async close(): Promise<void> {
    await (await this.#openCache())?.flush();
  }

  #openCache(): Promise<JsonlCache<RawSequence>> | undefined {
    if (this.#opts.cacheDir === undefined) return undefined;
    this.#cache ??= JsonlCache.open<RawSequence>(this.#opts.cacheDir);
    return this.#cache;
  }
}
