/*
 * Multiple-choice scoring the way lm-evaluation-harness's `local-completions` does it: send
 * context + continuation with `echo: true, logprobs: 1, max_tokens: 0`, so the server returns the
 * log-probability of every prompt token, and sum those of the continuation's tokens. The server
 * tokenises the joined text, so the boundary between context and continuation is found from the
 * returned character offsets rather than from a local tokenizer.
 */
import { mapInChunks, promptField } from "./batch.js";
import type { ApiClient } from "./client.js";
import { requestPromptLogprobs, type TokenLogprobs } from "./completions.js";
import { type ErrorOrigin, UnscorableTokenError } from "./errors.js";

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

export function loglikelihood(
  client: ApiClient,
  reqs: readonly LoglikelihoodRequest[],
  opts: LoglikelihoodOptions = {},
): Promise<LoglikelihoodResult[]> {
  return mapInChunks(reqs, opts.batchSize ?? 1, async (chunk) => {
    const prompts = chunk.map((r) => r.context + r.continuation);
    const body: Record<string, unknown> = {
      ...opts.extraBody,
      model: client.origin.model,
      prompt: promptField(prompts),
      echo: true,
      logprobs: 1,
      max_tokens: opts.scoringMaxTokens ?? 0,
      temperature: 0,
    };
    if (opts.seed !== undefined) body.seed = opts.seed;
    const scored = await requestPromptLogprobs(client, body, chunk.length, { top: true, offsets: true });
    return scored.map((lp, i) =>
      scoreContinuation(lp, chunk[i].context.length, prompts[i].length, client.origin),
    );
  });
}

/**
 * Sums the log-probabilities of the tokens after `contextLength` characters of a scored prompt of
 * `promptLength` characters. The continuation starts at the first token whose offset is at or
 * past the end of the context; a token that straddles the boundary (context "Answer: ", token
 * " yes") is counted with the continuation, since leaving it out would score nothing of it.
 */
export function scoreContinuation(
  lp: TokenLogprobs,
  contextLength: number,
  promptLength: number,
  origin: ErrorOrigin,
): LoglikelihoodResult {
  const { textOffset, tokenLogprobs, tokens, top } = lp;
  // Tokens the server generated (when max_tokens > 0) start at or after the end of the prompt.
  let end = 0;
  while (end < tokens.length && textOffset[end] < promptLength) end++;
  let start = 0;
  while (start < end && textOffset[start] < contextLength) start++;
  const nextOffset = start < end ? textOffset[start] : promptLength;
  if (start > 0 && nextOffset > contextLength) start--;

  let logprob = 0;
  let greedy = true;
  for (let j = start; j < end; j++) {
    const v = tokenLogprobs[j];
    if (v === null) {
      throw new UnscorableTokenError(
        origin,
        `continuation token ${j} (${JSON.stringify(tokens[j])}) has no log-probability: it is the first token of the prompt, ` +
          "which nothing predicts; give a non-empty context (for an unconditional score, the model's BOS text)",
      );
    }
    logprob += v;
    const best = top?.[j]?.[0];
    // A tie with the top-1 counts as greedy: the server's order among equals is arbitrary.
    if (best === undefined || (best.token !== tokens[j] && v < best.logprob)) greedy = false;
  }
  return { logprob, greedy };
}
