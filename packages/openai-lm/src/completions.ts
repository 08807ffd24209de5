/*
 * The wire format of /v1/completions and /v1/chat/completions responses, checked field by field.
 * Servers that call themselves OpenAI-compatible differ in the corners (missing offsets, top
 * log-probabilities as a dict or a list, choices out of order), so nothing is trusted without a
 * look, and a failed look names the field path.
 */
import type { ApiClient } from "./client.js";
import {
  type ErrorOrigin,
  HttpStatusError,
  MalformedResponseError,
  NoPromptLogprobsError,
  OpenAILMError,
} from "./errors.js";

/** One token's alternatives, most likely first. */
export type TopAlternatives = { token: string; logprob: number }[];

/** The legacy-completions `logprobs` object, normalised. */
export interface TokenLogprobs {
  tokens: string[];
  /** null where the server cannot score a token (the first token of the prompt). */
  tokenLogprobs: (number | null)[];
  /** Character offset of each token in the prompt + completion text. */
  textOffset: number[];
  /** null at positions with no distribution (the first token), or entirely when not requested. */
  top: (TopAlternatives | null)[] | null;
}

export interface CompletionChoice {
  text: string;
  logprobs: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The `choices` of a completions response, one per prompt, in prompt order. */
export function readChoices(json: unknown, origin: ErrorOrigin, expected: number): CompletionChoice[] {
  const bad = (field: string, detail: string) => new MalformedResponseError(origin, field, detail);
  if (!isObject(json)) throw bad("body", "is not a JSON object");
  const choices = json.choices;
  if (!Array.isArray(choices)) throw bad("choices", "is missing or not an array");
  if (choices.length !== expected)
    throw bad("choices", `has ${choices.length} entries for ${expected} prompts`);
  const out: CompletionChoice[] = new Array(expected);
  choices.forEach((c, i) => {
    if (!isObject(c)) throw bad(`choices[${i}]`, "is not an object");
    // Servers may answer a prompt array out of order; `index` says which prompt a choice is for.
    const index = c.index === undefined ? i : c.index;
    if (
      typeof index !== "number" ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= expected ||
      out[index]
    ) {
      throw bad(
        `choices[${i}].index`,
        `is ${JSON.stringify(c.index)}, expected a distinct integer in [0, ${expected})`,
      );
    }
    if (typeof c.text !== "string") throw bad(`choices[${i}].text`, "is missing or not a string");
    out[index] = { text: c.text, logprobs: c.logprobs };
  });
  return out;
}

/**
 * The text of a chat-completions answer. It is `message.content`; when that is empty or null and
 * the server split off the model's reasoning (`reasoning_content` in SGLang and older vLLM,
 * `reasoning` in newer vLLM), it is the reasoning text instead: a reasoning parser puts the whole
 * output there when the model writes no end-of-thinking tag (a model that does not think, or one
 * cut off by max_tokens mid-thought), and an empty string would score as no answer at all. When
 * both are present only `content` counts, as it is the answer.
 */
export function readChatContent(json: unknown, origin: ErrorOrigin): string {
  const bad = (field: string, detail: string) => new MalformedResponseError(origin, field, detail);
  if (!isObject(json)) throw bad("body", "is not a JSON object");
  if (!Array.isArray(json.choices) || json.choices.length === 0) throw bad("choices", "is missing or empty");
  const message = (json.choices[0] as Record<string, unknown>)?.message;
  if (!isObject(message)) throw bad("choices[0].message", "is missing or not an object");
  const { content } = message;
  if (content !== null && content !== undefined && typeof content !== "string")
    throw bad("choices[0].message.content", "is not a string or null");
  if (typeof content === "string" && content !== "") return content;
  for (const field of ["reasoning_content", "reasoning"] as const) {
    const reasoning = message[field];
    if (typeof reasoning === "string" && reasoning !== "") return reasoning;
  }
  if (content === undefined) throw bad("choices[0].message.content", "is missing");
  return "";
}

/**
 * The prompt log-probabilities of choice `i`. A missing or empty `logprobs` means the server did
 * not echo the prompt with scores: that is a capability the server lacks, not a glitch.
 */
export function readTokenLogprobs(
  choice: CompletionChoice,
  i: number,
  origin: ErrorOrigin,
  need: { top: boolean; offsets: boolean },
): TokenLogprobs {
  const at = `choices[${i}].logprobs`;
  const bad = (field: string, detail: string) => new MalformedResponseError(origin, `${at}.${field}`, detail);
  const lp = choice.logprobs;
  if (lp === null || lp === undefined) throw new NoPromptLogprobsError(origin, `${at} is ${lp}`);
  if (!isObject(lp)) throw new MalformedResponseError(origin, at, "is not an object");
  const { tokens, token_logprobs: tokenLogprobs, text_offset: textOffset, top_logprobs: top } = lp;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === "string"))
    throw bad("tokens", "is missing or not an array of strings");
  if (tokens.length === 0) throw new NoPromptLogprobsError(origin, `${at}.tokens is empty`);
  const n = tokens.length;
  if (!Array.isArray(tokenLogprobs) || tokenLogprobs.length !== n) {
    throw bad("token_logprobs", `is missing or does not have one entry per token (${n})`);
  }
  tokenLogprobs.forEach((v, j) => {
    if (v !== null && typeof v !== "number")
      throw bad(`token_logprobs[${j}]`, `is ${JSON.stringify(v)}, expected a number or null`);
  });
  const offsetsOk =
    Array.isArray(textOffset) && textOffset.length === n && textOffset.every((v) => typeof v === "number");
  if (need.offsets && !offsetsOk)
    throw bad("text_offset", `is missing or does not have one number per token (${n})`);
  let normTop: (TopAlternatives | null)[] | null = null;
  if (need.top) {
    if (!Array.isArray(top) || top.length !== n)
      throw bad("top_logprobs", `is missing or does not have one entry per token (${n})`);
    normTop = top.map((entry, j) => readAlternatives(entry, (d) => bad(`top_logprobs[${j}]`, d)));
  }
  return {
    tokens: tokens as string[],
    tokenLogprobs: tokenLogprobs as (number | null)[],
    textOffset: offsetsOk ? (textOffset as number[]) : [],
    top: normTop,
  };
}

/** `{ token: logprob }` (the OpenAI format) or `[{ token, logprob }]` (some servers), sorted most likely first. */
function readAlternatives(entry: unknown, bad: (detail: string) => Error): TopAlternatives | null {
  if (entry === null || entry === undefined) return null;
  let alts: TopAlternatives;
  if (Array.isArray(entry)) {
    alts = entry.map((e) => {
      if (!isObject(e) || typeof e.token !== "string" || typeof e.logprob !== "number") {
        throw bad("has an entry that is not { token, logprob }");
      }
      return { token: e.token, logprob: e.logprob };
    });
  } else if (isObject(entry)) {
    alts = Object.entries(entry).map(([token, logprob]) => {
      if (typeof logprob !== "number") throw bad(`maps ${JSON.stringify(token)} to a non-number`);
      return { token, logprob };
    });
  } else {
    throw bad("is not an object or array");
  }
  return alts.sort((a, b) => b.logprob - a.logprob);
}

/** One echoed prompt: its scores and the choice's `text` (prompt + generated text, when echoed). */
export interface Echo {
  logprobs: TokenLogprobs;
  text: string;
}

/**
 * Sends an echo request (the prompt comes back scored) for `expected` prompts and reads the
 * scores of each. A refusal that names echo is the server saying it cannot do this at all, which
 * deserves the capability error, not a bare status: OpenAI's API answers 400, llama.cpp's server
 * 500 ("Only no echo is supported", tools/server/server-common.cpp, a runtime_error that its
 * ex_wrapper turns into a server error), so it is not retried either.
 */
export async function requestPromptLogprobs(
  client: ApiClient,
  body: Record<string, unknown>,
  expected: number,
  need: { top: boolean; offsets: boolean },
): Promise<Echo[]> {
  const refusesEcho = (status: number, text: string) =>
    status >= 400 && status !== 429 && /\becho\b/i.test(text);
  let json: unknown;
  try {
    json = await client.post("completions", body, { permanent: refusesEcho });
  } catch (err) {
    if (err instanceof HttpStatusError && refusesEcho(err.status, err.body)) {
      throw new NoPromptLogprobsError(
        client.origin,
        `the server refused echo + logprobs (HTTP ${err.status}: ${err.body})`,
      );
    }
    // SGLang's CompletionRequest rejects max_tokens <= 0 ("max_tokens must be positive").
    if (
      err instanceof HttpStatusError &&
      (err.status === 400 || err.status === 422) &&
      body.max_tokens === 0 &&
      /max_tokens/i.test(err.body)
    ) {
      throw new OpenAILMError(
        client.origin,
        `the server refused max_tokens: 0 (HTTP ${err.status}: ${err.body}); set scoringMaxTokens: 1 ` +
          "(SGLang needs it; the one generated token is not scored)",
        { cause: err },
      );
    }
    throw err;
  }
  return readChoices(json, client.origin, expected).map((c, i) => ({
    logprobs: readTokenLogprobs(c, i, client.origin, need),
    text: c.text,
  }));
}
