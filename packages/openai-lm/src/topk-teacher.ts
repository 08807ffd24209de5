/*
 * A top-k teacher for distillation, served: for each position of a text, the teacher's k most
 * likely next tokens and their log-probabilities (under its full distribution), read from
 * /v1/completions with `echo: true, logprobs: k, max_tokens: 0`. Answers can be cached on disk so
 * that each text is sent once however many epochs read it.
 *
 * Ids: the API names tokens by their text. vLLM names them `token_id:123` when asked with
 * `return_tokens_as_token_ids`, which is exact; otherwise a `tokenToId` function (the shared
 * tokenizer's vocabulary) maps texts to ids. With neither, positions carry only token texts.
 */
import { mapInChunks, promptField } from "./batch.js";
import type { JsonlCache } from "./cache.js";
import { cacheKey } from "./cache.js";
import type { ApiClient } from "./client.js";
import { requestPromptLogprobs, type TokenLogprobs } from "./completions.js";
import { MalformedResponseError, OpenAILMError } from "./errors.js";

/** The teacher's top-k after one position, most likely first. */
export interface TopkPosition {
  ids?: number[];
  tokens: string[];
  logprobs: number[];
}

/**
 * The teacher's view of one input. `positions[t]` is the distribution of token t + 1 given tokens
 * 0..t, so it lines up with a student's logits at position t; there are `tokens.length - 1`.
 */
export interface TopkSequence {
  /** The input as the server tokenised it. */
  tokens: string[];
  ids?: number[];
  positions: TopkPosition[];
}

/** A text, or token ids the server takes as they are (no tokenisation mismatch possible). */
export type TeacherInput = string | readonly number[];

export interface TopkTeacherOptions {
  /** Ask vLLM for `token_id:N` names (`return_tokens_as_token_ids: true`). Default false. */
  returnTokenIds?: boolean;
  /** Maps a token's text to its id where the server names tokens by text. */
  tokenToId?: (token: string) => number | undefined;
  /** Inputs per request (default 1: teacher inputs are long). */
  batchSize?: number;
  /** Answers already fetched, kept across runs (see `JsonlCache`). */
  cache?: JsonlCache<RawSequence>;
  extraBody?: Record<string, unknown>;
}

/** What the server said, before ids are derived; this is what the cache holds. */
export interface RawSequence {
  tokens: string[];
  positions: { tokens: string[]; logprobs: number[] }[];
}

const TOKEN_ID = /^token_id:(\d+)$/;

export async function topkLogprobs(
  client: ApiClient,
  inputs: readonly TeacherInput[],
  k: number,
  opts: TopkTeacherOptions = {},
): Promise<TopkSequence[]> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be an integer >= 1, got ${k}`);
  const keys = inputs.map((input) =>
    cacheKey([
      client.origin.endpoint,
      client.origin.model,
      k,
      opts.returnTokenIds ?? false,
      cacheKey([input]),
    ]),
  );
  const raw: (RawSequence | undefined)[] = await Promise.all(keys.map((key) => opts.cache?.get(key)));
  // An input repeated within one call is asked once; its copies are filled in afterwards.
  const firstOf = new Map<string, number>();
  const missing: number[] = [];
  raw.forEach((r, i) => {
    if (r !== undefined || firstOf.has(keys[i])) return;
    firstOf.set(keys[i], i);
    missing.push(i);
  });

  await mapInChunks(missing, opts.batchSize ?? 1, async (chunk) => {
    const body: Record<string, unknown> = {
      ...opts.extraBody,
      model: client.origin.model,
      prompt: promptField(chunk.map((i) => inputs[i])),
      echo: true,
      logprobs: k,
      max_tokens: 0,
      temperature: 0,
    };
    if (opts.returnTokenIds) body.return_tokens_as_token_ids = true;
    const scored = await requestPromptLogprobs(client, body, chunk.length, { top: true, offsets: false });
    for (const [j, i] of chunk.entries()) {
      raw[i] = toRaw(scored[j], k, j, client);
      await opts.cache?.put(keys[i], raw[i]!);
    }
    return chunk;
  });
  return raw.map((r, i) => withIds(r ?? raw[firstOf.get(keys[i])!]!, inputs[i], opts.tokenToId, client));
}

function toRaw(lp: TokenLogprobs, k: number, choice: number, client: ApiClient): RawSequence {
  const positions = lp.top!.slice(1).map((alts, t) => {
    const at = `choices[${choice}].logprobs.top_logprobs[${t + 1}]`;
    if (alts === null) throw new MalformedResponseError(client.origin, at, "is null");
    // vLLM adds the actual token to the top-k when it is not among them: keep the k best only.
    if (alts.length < k)
      throw new MalformedResponseError(client.origin, at, `has ${alts.length} entries, asked for k = ${k}`);
    const best = alts.slice(0, k);
    return { tokens: best.map((a) => a.token), logprobs: best.map((a) => a.logprob) };
  });
  return { tokens: lp.tokens, positions };
}

function withIds(
  raw: RawSequence,
  input: TeacherInput,
  tokenToId: ((token: string) => number | undefined) | undefined,
  client: ApiClient,
): TopkSequence {
  const toId = idMapper(raw, tokenToId, client);
  if (!toId) return { tokens: raw.tokens, positions: raw.positions.map((p) => ({ ...p })) };
  const ids = raw.tokens.map(toId);
  if (typeof input !== "string" && (ids.length !== input.length || ids.some((id, i) => id !== input[i]))) {
    throw new OpenAILMError(
      client.origin,
      `the server echoed ${ids.length} token ids that differ from the ${input.length} sent`,
    );
  }
  return {
    tokens: raw.tokens,
    ids,
    positions: raw.positions.map((p) => ({ ids: p.tokens.map(toId), ...p })),
  };
}

/** `token_id:N` names are parsed; otherwise `tokenToId` is used, and an unknown token is an error. */
function idMapper(
  raw: RawSequence,
  tokenToId: ((token: string) => number | undefined) | undefined,
  client: ApiClient,
): ((token: string) => number) | undefined {
  if (raw.tokens.every((t) => TOKEN_ID.test(t))) return (t) => parseTokenId(t, tokenToId, client);
  if (!tokenToId) return undefined;
  return (t) => {
    const id = tokenToId(t);
    if (id === undefined)
      throw new OpenAILMError(client.origin, `tokenToId knows no id for the token ${JSON.stringify(t)}`);
    return id;
  };
}

function parseTokenId(
  t: string,
  tokenToId: ((token: string) => number | undefined) | undefined,
  client: ApiClient,
): number {
  const m = TOKEN_ID.exec(t);
  if (m) return Number(m[1]);
  const id = tokenToId?.(t);
  if (id === undefined)
    throw new OpenAILMError(client.origin, `the token ${JSON.stringify(t)} is not in token_id:N form`);
  return id;
}
