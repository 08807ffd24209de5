/*
 * Multiple-choice scoring the way lm-evaluation-harness's `local-completions` does it: send
 * context + continuation with `echo: true, logprobs: 1, max_tokens: 0`, so the server returns the
 * log-probability of every prompt token, and sum those of the continuation's tokens.
 *
 * Where the continuation starts is decided in one of two ways, and neither trusts the server:
 *   - with a local tokenizer (the default whenever one is given), the prompt goes as token ids and
 *     the context is counted in tokens, as lm-evaluation-harness does; vLLM and SGLang accept
 *     token-id prompts. The echo must hold the ids sent.
 *   - without one, the prompt goes as text and the boundary is found from the echoed token texts,
 *     after checking that they spell the prompt and that `text_offset` agrees with them (see
 *     echo.ts); a server whose echo does not pass is an error that asks for a tokenizer.
 */
import { mapInChunks, promptField } from "./batch.js";
import type { ApiClient } from "./client.js";
import { requestPromptLogprobs, type TokenLogprobs } from "./completions.js";
import { alignTextEcho, checkPromptScored, checkTokenEcho } from "./echo.js";
import { type ErrorOrigin, MalformedResponseError, UnscorableTokenError } from "./errors.js";
import { type PromptTokenizer, type TokenizedPair, tokenizePair } from "./tokenizer.js";

export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

export interface LoglikelihoodResult {
  /** Sum of the continuation tokens' log-probabilities. */
  logprob: number;
  /** Every continuation token is the model's top-1 choice at its position. */
  greedy: boolean;
}

export interface LoglikelihoodOptions {
  /**
   * The served model's tokenizer. When given, prompts go as token ids and the continuation is
   * counted in tokens; when absent, prompts go as text and the echo's offsets are verified.
   */
  tokenizer?: PromptTokenizer;
  /** Prompts per request (default 1). */
  batchSize?: number;
  /**
   * `max_tokens` of the scoring request (default 0). Servers that reject 0 take 1; the generated
   * token lies past the prompt and is ignored.
   */
  scoringMaxTokens?: number;
  seed?: number;
  /** Merged into every request body (server-specific fields). */
  extraBody?: Record<string, unknown>;
}

/** The continuation's tokens within one scored echo: indices [start, end). */
interface Span {
  start: number;
  end: number;
}

export function loglikelihood(
  client: ApiClient,
  reqs: readonly LoglikelihoodRequest[],
  opts: LoglikelihoodOptions = {},
): Promise<LoglikelihoodResult[]> {
  const { tokenizer } = opts;
  return mapInChunks(reqs, opts.batchSize ?? 1, async (chunk) => {
    const body: Record<string, unknown> = {
      ...opts.extraBody,
      model: client.origin.model,
      echo: true,
      logprobs: 1,
      max_tokens: opts.scoringMaxTokens ?? 0,
      temperature: 0,
    };
    if (opts.seed !== undefined) body.seed = opts.seed;
    if (tokenizer) {
      const pairs = chunk.map((r) => tokenizePair(tokenizer, r.context, r.continuation));
      pairs.forEach((p, i) => {
        if (p.contextTokens === 0) throw unscorableStart(client.origin, chunk[i]);
      });
      body.prompt = promptField(pairs.map((p) => p.ids));
      // vLLM then names tokens `token_id:N`, which lets the echo be checked id by id.
      body.return_tokens_as_token_ids = true;
      const echoes = await requestPromptLogprobs(client, body, chunk.length, { top: true, offsets: false });
      return echoes.map(({ logprobs: lp }, i) =>
        sumSpan(lp, tokenSpan(lp, pairs[i], client.origin, i), client.origin, `choices[${i}].logprobs`),
      );
    }
    const prompts = chunk.map((r) => r.context + r.continuation);
    body.prompt = promptField(prompts);
    const echoes = await requestPromptLogprobs(client, body, chunk.length, { top: true, offsets: true });
    return echoes.map(({ logprobs: lp, text }, i) => {
      const at = `choices[${i}].logprobs`;
      const echo = alignTextEcho(lp, prompts[i], text, client.origin, at);
      checkPromptScored(lp, echo.end, client.origin, at);
      return sumSpan(lp, textSpan(echo, chunk[i].context.length), client.origin, at);
    });
  });
}

function tokenSpan(lp: TokenLogprobs, pair: TokenizedPair, origin: ErrorOrigin, i: number): Span {
  const at = `choices[${i}].logprobs`;
  checkTokenEcho(lp, pair.ids, origin, at);
  checkPromptScored(lp, pair.ids.length, origin, at);
  return { start: pair.contextTokens, end: pair.ids.length };
}

/**
 * The continuation is the tokens from the first one that starts at or past the end of the
 * context; a token that straddles the boundary (context "Answer: ", token " yes") is counted
 * with the continuation, since leaving it out would score nothing of it.
 */
function textSpan(echo: { first: number; end: number; starts: number[] }, contextLength: number): Span {
  let start = echo.first;
  while (start < echo.end && echo.starts[start - echo.first] < contextLength) start++;
  const next = start < echo.end ? echo.starts[start - echo.first] : Number.POSITIVE_INFINITY;
  if (start > echo.first && next > contextLength) start--;
  return { start, end: echo.end };
}

/**
 * Sums the log-probabilities of tokens [start, end). Greedy means each is at least the top-1
 * alternative's log-probability: comparing numbers, not token names, is exact however the server
 * names tokens, and a tie counts as greedy since the server's order among equals is arbitrary.
 */
function sumSpan(
  lp: TokenLogprobs,
  { start, end }: Span,
  origin: ErrorOrigin,
  at: string,
): LoglikelihoodResult {
  let logprob = 0;
  let greedy = true;
  for (let j = start; j < end; j++) {
    const v = lp.tokenLogprobs[j];
    if (v === null) {
      throw new UnscorableTokenError(
        origin,
        `continuation token ${j} (${JSON.stringify(lp.tokens[j])}) has no log-probability: it is the first token of the prompt, ` +
          "which nothing predicts; give a non-empty context (for an unconditional score, the model's BOS text)",
      );
    }
    logprob += v;
    const best = lp.top?.[j]?.[0];
    if (best === undefined)
      throw new MalformedResponseError(origin, `${at}.top_logprobs[${j}]`, "is empty at a scored token");
    if (v < best.logprob) greedy = false;
  }
  return { logprob, greedy };
}

function unscorableStart(origin: ErrorOrigin, r: LoglikelihoodRequest): UnscorableTokenError {
  return new UnscorableTokenError(
    origin,
    `no token precedes the continuation ${JSON.stringify(r.continuation.slice(0, 40))}: the context ` +
      `${JSON.stringify(r.context.slice(0, 40))} encodes to nothing before it (an empty context with a tokenizer ` +
      "that adds no BOS, or a first token that merges context and continuation), and the first token of a prompt " +
      "has no log-probability",
  );
}
