/**
 * generation_config.json: the defaults a model ships for decoding (EOS ids, sampling
 * settings). Older checkpoints keep some of them in config.json, which is the fallback.
 */
import { type RawConfig, tokenIds } from "./config.js";

export interface GenerationConfig {
  /** The file's content as read, written back by save(). */
  raw: RawConfig;
  eosTokenIds: number[];
  bosTokenId: number | null;
  padTokenId: number | null;
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  maxNewTokens: number | null;
}

export function parseGenerationConfig(raw: RawConfig | null, modelConfig: RawConfig): GenerationConfig {
  const g = raw ?? {};
  const pick = (k: string) => (g[k] !== undefined ? g[k] : modelConfig[k]);
  const num = (k: string, d: number) => (typeof g[k] === "number" ? (g[k] as number) : d);
  return {
    raw: g,
    eosTokenIds: tokenIds(pick("eos_token_id")),
    bosTokenId: tokenIds(pick("bos_token_id"))[0] ?? null,
    padTokenId: tokenIds(pick("pad_token_id"))[0] ?? null,
    doSample: g.do_sample === true,
    temperature: num("temperature", 1),
    topK: num("top_k", 50),
    topP: num("top_p", 1),
    maxNewTokens: typeof g.max_new_tokens === "number" ? g.max_new_tokens : null,
  };
}
