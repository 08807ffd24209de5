/*
 * `generate_until` over the API: /v1/completions for base models (prompt arrays batch several
 * requests), /v1/chat/completions for instruction-tuned models whose server applies the chat
 * template. Greedy (temperature 0) by default, because evaluations must be repeatable.
 */
import { mapInChunks, promptField } from "./batch.js";
import type { ApiClient } from "./client.js";
import { readChatContent, readChoices } from "./completions.js";

export interface GenerateRequest {
  prompt: string;
  maxNewTokens: number;
  /** Generation stops before any of these strings; the result excludes them. */
  stop?: string[];
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface GenerateOptions {
  /** Use /v1/chat/completions (default false: /v1/completions). */
  chat?: boolean;
  /** Turns a prompt into chat messages (default: one user message holding the prompt). */
  buildMessages?: (prompt: string) => ChatMessage[];
  /** Default 0 (greedy). */
  temperature?: number;
  seed?: number;
  /** Prompts per /v1/completions request (default 1); chat sends one conversation per request. */
  batchSize?: number;
  /**
   * Stop strings sent to the server (OpenAI's API accepts at most 4); the rest are applied to the
   * returned text here. Default: all are sent.
   */
  maxStopSequences?: number;
  /** Merged into every request body (server-specific fields such as `top_k`). */
  extraBody?: Record<string, unknown>;
}

export async function generate(
  client: ApiClient,
  reqs: readonly GenerateRequest[],
  opts: GenerateOptions = {},
): Promise<string[]> {
  const out: string[] = new Array(reqs.length);
  // Only requests with the same limits can share a prompt array.
  const groups = new Map<string, number[]>();
  reqs.forEach((r, i) => {
    const key = JSON.stringify([r.maxNewTokens, r.stop ?? []]);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const batchSize = opts.chat ? 1 : (opts.batchSize ?? 1);
  await Promise.all(
    [...groups.values()].map(async (indices) => {
      const texts = await mapInChunks(indices, batchSize, (chunk) =>
        generateChunk(
          client,
          chunk.map((i) => reqs[i]),
          opts,
        ),
      );
      indices.forEach((idx, j) => {
        out[idx] = cutAtStop(texts[j], reqs[idx].stop);
      });
    }),
  );
  return out;
}

/** Requests in `chunk` share maxNewTokens and stop. */
async function generateChunk(
  client: ApiClient,
  chunk: GenerateRequest[],
  opts: GenerateOptions,
): Promise<string[]> {
  const { maxNewTokens, stop } = chunk[0];
  const body: Record<string, unknown> = {
    ...opts.extraBody,
    model: client.origin.model,
    max_tokens: maxNewTokens,
    temperature: opts.temperature ?? 0,
  };
  if (stop && stop.length > 0) body.stop = stop.slice(0, opts.maxStopSequences ?? stop.length);
  if (opts.seed !== undefined) body.seed = opts.seed;
  if (opts.chat) {
    const messages = (opts.buildMessages ?? defaultMessages)(chunk[0].prompt);
    return [readChatContent(await client.post("chat/completions", { ...body, messages }), client.origin)];
  }
  body.prompt = promptField(chunk.map((r) => r.prompt));
  const choices = readChoices(await client.post("completions", body), client.origin, chunk.length);
  return choices.map((c) => c.text);
}

const defaultMessages = (prompt: string): ChatMessage[] => [{ role: "user", content: prompt }];

/**
 * Cuts at the earliest stop string. Servers normally stop there themselves, but some return the
 * stop string, and those beyond `maxStopSequences` were never sent.
 */
export function cutAtStop(text: string, stop: readonly string[] | undefined): string {
  let cut = text.length;
  for (const s of stop ?? []) {
    if (s === "") continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < cut) cut = at;
  }
  return text.slice(0, cut);
}
