/*
 * A top-k teacher for distillation, served: for each position of a text, the teacher's k most
 * likely next tokens and their log-probabilities (under its full distribution), read from
 * /v1/completions with `echo: true, logprobs: k, max_tokens: 0`. Answers can be cached on disk so
 * that each text is sent once however many epochs read it.
 *
 * Ids: the API names tokens by their text, and vLLM and SGLang key each position's alternatives
 * by that text, so distinct ids that decode alike (the partial UTF-8 bytes of one character all
 * decode to "\uFFFD") collapse into one entry. Hence the teacher asks for `token_id:N` names
 * (vLLM's `return_tokens_as_token_ids`, on by default; other servers ignore the field), which are
 * exact. A server that still answers with texts (SGLang) gets its texts mapped back through the
 * model's vocabulary where one is given, and a text that several ids decode to, or a position
 * that lost alternatives to such a merge, is an error: a guessed id would train the student on
 * the wrong token.
 */
import { mapInChunks, promptField } from "./batch.js";
import type { JsonlCache } from "./cache.js";
import { cacheKey } from "./cache.js";
import type { ApiClient } from "./client.js";
import { type Echo, requestPromptLogprobs } from "./completions.js";
import { checkPromptScored, checkTokenEcho } from "./echo.js";
import { MalformedResponseError, NoPromptLogprobsError, OpenAILMError } from "./errors.js";
import type { TokenTextIndex } from "./tokenizer.js";

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
  /** The input as the server tokenised it, as the server names tokens. */
  tokens: string[];
  ids?: number[];
  positions: TopkPosition[];
}

/** A text, or token ids the server takes as they are (no tokenisation mismatch possible). */
export type TeacherInput = string | readonly number[];

export interface TopkTeacherOptions {
  /**
   * Ask for `token_id:N` names (vLLM's `return_tokens_as_token_ids`). Default true: it is the only
   * way to exact ids, and servers without it ignore the field.
   */
  returnTokenIds?: boolean;
  /** Maps token texts back to ids for servers that name tokens by text (see `TokenTextIndex`). */
  textIndex?: () => TokenTextIndex;
  /**
   * `max_tokens` of the request: 0 (default), or 1 for servers that reject 0 (SGLang). The one
   * token a single decoding step always generates is dropped from the answer.
   */
  scoringMaxTokens?: 0 | 1;
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
  const generated = opts.scoringMaxTokens ?? 0;
  if (generated !== 0 && generated !== 1)
    throw new RangeError(`scoringMaxTokens must be 0 or 1, got ${generated}`);
  const keys = inputs.map((input) =>
    cacheKey([
      client.origin.endpoint,
      client.origin.model,
      k,
      opts.returnTokenIds ?? true,
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
      max_tokens: generated,
      temperature: 0,
    };
    if (opts.returnTokenIds ?? true) body.return_tokens_as_token_ids = true;
    const echoes = await requestPromptLogprobs(client, body, chunk.length, { top: true, offsets: false });
    for (const [j, i] of chunk.entries()) {
      raw[i] = toRaw(echoes[j], inputs[i], k, generated, j, client);
      await opts.cache?.put(keys[i], raw[i]!);
    }
    return chunk;
  });
  return raw.map((r, i) => withIds(r ?? raw[firstOf.get(keys[i])!]!, inputs[i], opts.textIndex, client));
}

function toRaw(
  echo: Echo,
  input: TeacherInput,
  k: number,
  generated: number,
  choice: number,
  client: ApiClient,
): RawSequence {
  const lp = echo.logprobs;
  const at = `choices[${choice}].logprobs`;
  // The echo is the prompt and then `generated` tokens; a token-id input says how many it has.
  let n = lp.tokens.length - generated;
  if (typeof input !== "string") {
    checkTokenEcho(lp, input, client.origin, at);
    n = input.length;
  } else if (!echo.text.startsWith(input)) {
    throw new NoPromptLogprobsError(
      client.origin,
      `choices[${choice}].text does not start with the input, so the server ignored echo`,
    );
  }
  checkPromptScored(lp, n, client.origin, at);
  const positions = lp.top!.slice(1, n).map((alts, t) => {
    const field = `${at}.top_logprobs[${t + 1}]`;
    if (alts === null) throw new MalformedResponseError(client.origin, field, "is null");
    // vLLM adds the actual token to the top-k when it is not among them: keep the k best only.
    if (alts.length < k) {
      const byText = alts.some((a) => !TOKEN_ID.test(a.token));
      throw new MalformedResponseError(
        client.origin,
        field,
        `has ${alts.length} entries, asked for k = ${k}` +
          (byText
            ? ": the server keys alternatives by their text, so distinct token ids that decode alike merged " +
              "and their exact ids cannot be had; use a server that names tokens by id (vLLM, whose " +
              "return_tokens_as_token_ids this client sends)"
            : ""),
      );
    }
    const best = alts.slice(0, k);
    return { tokens: best.map((a) => a.token), logprobs: best.map((a) => a.logprob) };
  });
  return { tokens: lp.tokens.slice(0, n), positions };
}

function withIds(
  raw: RawSequence,
  input: TeacherInput,
  textIndex: (() => TokenTextIndex) | undefined,
  client: ApiClient,
): TopkSequence {
  const named = [...raw.tokens, ...raw.positions.flatMap((p) => p.tokens)];
  const byId = named.every((t) => TOKEN_ID.test(t));
  if (!byId && !textIndex) return { tokens: raw.tokens, positions: raw.positions.map((p) => ({ ...p })) };
  const index = byId ? undefined : textIndex!();
  const toId = (token: string): number => {
    const m = TOKEN_ID.exec(token);
    if (m) return Number(m[1]);
    const id = index!.lookup(token);
    if (typeof id === "number") return id;
    throw new OpenAILMError(
      client.origin,
      `the server named a token ${JSON.stringify(token)}, which ${
        id === "ambiguous" ? "several token ids decode to" : "no token id of the vocabulary decodes to"
      }, so its exact id cannot be had; use a server that names tokens by id (vLLM, whose ` +
        "return_tokens_as_token_ids this client sends)",
    );
  };
  // A token-id input's echo was checked against it, so its own ids are exact.
  const ids = typeof input === "string" ? raw.tokens.map(toId) : [...input];
  return {
    tokens: raw.tokens,
    ids,
    positions: raw.positions.map((p) => ({ ids: p.tokens.map(toId), ...p })),
  };
}
