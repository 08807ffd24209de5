/*
 * The config shapes the runner reads from experiment files and command lines, checked with
 * errors that name the field, and the factories that turn them into live objects. Tuning knobs
 * (concurrency, timeouts, retries) are passed beside the config, not in it, so experiment files
 * stay about what is compared.
 */
import { ConfigError } from "./errors.js";
import { OpenAICompatibleLM, type OpenAILMOptions } from "./openai-lm.js";
import { type RemoteTeacherOptions, RemoteTopkTeacher } from "./teacher.js";

/** A served model to evaluate: `shrinkray eval --endpoint URL --model NAME`. */
export interface RemoteModelConfig {
  endpoint: string;
  model: string;
  /** Environment variable holding the API key (default OPENAI_API_KEY). */
  apiKeyEnv?: string;
}

/** A served teacher in an experiment config: `"teacher": { "endpoint": ..., "model": ..., "topK": 20 }`. */
export interface RemoteTeacherConfig extends RemoteModelConfig {
  topK: number;
}

/** Checks an untrusted value (parsed JSON) against `RemoteTeacherConfig`; `where` prefixes field names. */
export function parseRemoteTeacherConfig(value: unknown, where = "teacher"): RemoteTeacherConfig {
  const base = parseRemoteModelConfig(value, where);
  const topK = (value as Record<string, unknown>).topK;
  if (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1) {
    throw new ConfigError(`${where}.topK`, `must be an integer >= 1, got ${JSON.stringify(topK)}`);
  }
  return { ...base, topK };
}

export function parseRemoteModelConfig(value: unknown, where = "model"): RemoteModelConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(where, `must be an object { endpoint, model }, got ${JSON.stringify(value)}`);
  }
  const v = value as Record<string, unknown>;
  for (const f of ["endpoint", "model"] as const) {
    if (typeof v[f] !== "string" || v[f] === "")
      throw new ConfigError(`${where}.${f}`, "must be a non-empty string");
  }
  if (v.apiKeyEnv !== undefined && (typeof v.apiKeyEnv !== "string" || v.apiKeyEnv === "")) {
    throw new ConfigError(
      `${where}.apiKeyEnv`,
      "must be a non-empty string (an environment variable's name)",
    );
  }
  const out: RemoteModelConfig = { endpoint: v.endpoint as string, model: v.model as string };
  if (v.apiKeyEnv !== undefined) out.apiKeyEnv = v.apiKeyEnv as string;
  return out;
}

export type TuningOptions<T> = Omit<T, keyof RemoteTeacherConfig>;

export function createRemoteLM(
  config: RemoteModelConfig,
  tuning: TuningOptions<OpenAILMOptions> = {},
): OpenAICompatibleLM {
  return new OpenAICompatibleLM({ ...tuning, ...config });
}

export function createRemoteTeacher(
  config: RemoteTeacherConfig,
  tuning: TuningOptions<RemoteTeacherOptions> = {},
): RemoteTopkTeacher {
  return new RemoteTopkTeacher({ ...tuning, ...config });
}
