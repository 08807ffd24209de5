/*
 * Checks that an echoed prompt is the prompt that was sent, before any of its scores are used.
 * Servers differ in exactly the places a scorer depends on:
 *   - vLLM spells each token as its decoded text and builds `text_offset` by adding up Python
 *     string lengths (code points, not UTF-16 units) of those texts, the BOS text ("<s>",
 *     "<|begin_of_text|>") included, so every offset of a BOS model is shifted by its length
 *     (vllm/entrypoints/openai/completion/serving.py, `_create_completion_logprobs`);
 *   - SGLang sends `text_offset: -1` for every token (python/sglang/srt/entrypoints/openai/
 *     utils.py, `to_openai_style_logprobs`: "Not supported yet");
 *   - SentencePiece and byte-fallback tokens decode alone to texts that do not spell the prompt
 *     ("▁The" -> "The", one emoji -> four "\uFFFD");
 *   - some servers ignore `echo` and return only generated tokens, or echo the prompt with null or
 *     zero log-probabilities.
 * So the text path proves that the token texts spell the prompt and that the offsets agree with
 * them, and the token-id path that the echo has (at least) the tokens sent; anything else is an
 * error, never a misplaced sum.
 */
import type { TokenLogprobs } from "./completions.js";
import { type ErrorOrigin, MalformedResponseError, NoPromptLogprobsError } from "./errors.js";

/** The prompt's tokens within a text-prompt echo. */
export interface TextEcho {
  /** Index of the first token of the prompt's text: 1 when the server put a BOS text first. */
  first: number;
  /** One past the last prompt token; tokens from here on were generated. */
  end: number;
  /** `starts[j - first]`: where token j starts in the prompt, in UTF-16 units (JavaScript indices). */
  starts: number[];
}

// The spellings servers give special tokens: <s>, </s>, <|begin_of_text|>, <bos>, [CLS].
const SPECIAL_TEXT = /^(<[^<>\s]+>|\[[A-Z_]+\])$/;

const TOKEN_ID = /^token_id:(\d+)$/;

/**
 * Aligns the echo of a text prompt with the prompt. `echoedText` is the choice's `text`, which
 * tells a server that ignored echo (it does not start with the prompt) from one whose token texts
 * do not spell the prompt.
 */
export function alignTextEcho(
  lp: TokenLogprobs,
  prompt: string,
  echoedText: string,
  origin: ErrorOrigin,
  at: string,
): TextEcho {
  const { tokens, textOffset } = lp;
  const bad = (field: string, detail: string) => new MalformedResponseError(origin, `${at}.${field}`, detail);
  const minus = textOffset.indexOf(-1);
  if (minus >= 0) {
    throw bad(
      `text_offset[${minus}]`,
      "is -1: this server (SGLang does this) reports no character offsets, so the continuation cannot be " +
        "located in the text; give the client a tokenizer so prompts go as token ids",
    );
  }
  if (!echoedText.startsWith(prompt)) {
    throw new NoPromptLogprobsError(
      origin,
      `${at.replace(/\.logprobs$/, ".text")} does not start with the prompt, so the server ignored echo`,
    );
  }
  // A leading special token is the server's BOS: it is not in the prompt text and shifts offsets.
  const spelled = spell(tokens, 0, prompt);
  const shifted = !spelled.ok && SPECIAL_TEXT.test(tokens[0] ?? "") ? spell(tokens, 1, prompt) : undefined;
  // Report the reading that got furthest: its failure is the informative one.
  const echo = shifted && (shifted.ok || shifted.end > spelled.end) ? shifted : spelled;
  if (!echo.ok) {
    const j = echo.end;
    const found = j < tokens.length ? `is ${JSON.stringify(tokens[j])}` : "is missing";
    throw bad(
      `tokens[${j}]`,
      `${found} where the prompt continues ${JSON.stringify(prompt.slice(echo.pos, echo.pos + 12))} ` +
        `(character ${echo.pos}): the server's token texts do not spell the prompt (SentencePiece or ` +
        "byte-fallback tokens decode differently alone), so offsets cannot be trusted; give the client a " +
        "tokenizer so prompts go as token ids",
    );
  }
  checkOffsets(textOffset, echo, prompt, bad);
  return { first: echo.first, end: echo.end, starts: echo.starts };
}

type Spelling =
  | { ok: true; first: number; end: number; starts: number[] }
  | { ok: false; end: number; pos: number };

/** Walks tokens from `first` while they spell `prompt`; `end` is where the prompt is used up. */
function spell(tokens: readonly string[], first: number, prompt: string): Spelling {
  const starts: number[] = [];
  let pos = 0;
  let j = first;
  while (pos < prompt.length) {
    if (j >= tokens.length || tokens[j] === "" || !prompt.startsWith(tokens[j], pos))
      return { ok: false, end: j, pos };
    starts.push(pos);
    pos += tokens[j].length;
    j++;
  }
  return { ok: true, first, end: j, starts };
}

/**
 * Offsets must be those of the token texts, counted in code points as Python counts them (an
 * astral character such as an emoji is one code point but two UTF-16 units), from the first
 * prompt token's offset, which is the BOS text's length when there is one.
 */
function checkOffsets(
  offsets: readonly number[],
  echo: { first: number; end: number; starts: number[] },
  prompt: string,
  bad: (field: string, detail: string) => Error,
): void {
  const base = offsets[echo.first];
  if (echo.first > 0 && !(offsets[0] <= base))
    throw bad("text_offset", `is not increasing: [${offsets.slice(0, 2).join(", ")}, ...]`);
  let codePoints = 0;
  let unit = 0;
  for (let j = echo.first; j < echo.end; j++) {
    const start = echo.starts[j - echo.first];
    codePoints += countCodePoints(prompt, unit, start);
    unit = start;
    if (offsets[j] !== base + codePoints) {
      throw bad(
        `text_offset[${j}]`,
        `is ${offsets[j]}, but token ${j} (${JSON.stringify(prompt.slice(start, start + 12))}) starts ` +
          `${codePoints} code points into the prompt (offset ${base + codePoints}): the offsets disagree ` +
          "with the token texts",
      );
    }
  }
}

function countCodePoints(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Checks the echo of a token-id prompt: at least as many tokens as were sent, and the same ids
 * where the server names tokens `token_id:N` (vLLM's `return_tokens_as_token_ids`).
 */
export function checkTokenEcho(
  lp: TokenLogprobs,
  ids: readonly number[],
  origin: ErrorOrigin,
  at: string,
): void {
  if (lp.tokens.length < ids.length) {
    throw new NoPromptLogprobsError(
      origin,
      `${at}.tokens has ${lp.tokens.length} entries for a prompt of ${ids.length} tokens, so the server did not echo it`,
    );
  }
  for (let j = 0; j < ids.length; j++) {
    const m = TOKEN_ID.exec(lp.tokens[j]);
    if (m && Number(m[1]) !== ids[j]) {
      throw new MalformedResponseError(
        origin,
        `${at}.tokens[${j}]`,
        `is ${JSON.stringify(lp.tokens[j])}, but token id ${ids[j]} was sent there`,
      );
    }
  }
}

/**
 * Every prompt token after the first must carry a log-probability. When none does (all null), or
 * all are exactly 0 over two or more tokens (a placeholder: no real model is certain of every
 * token of a text), the server does not score prompts; a gap among real scores is malformed.
 */
export function checkPromptScored(lp: TokenLogprobs, end: number, origin: ErrorOrigin, at: string): void {
  const scored = lp.tokenLogprobs.slice(1, end);
  if (scored.length === 0) return;
  if (scored.every((v) => v === null))
    throw new NoPromptLogprobsError(origin, `${at}.token_logprobs is null for every prompt token`);
  if (scored.length >= 2 && scored.every((v) => v === 0))
    throw new NoPromptLogprobsError(origin, `${at}.token_logprobs is 0 for every prompt token`);
  const gap = scored.indexOf(null);
  if (gap >= 0) {
    throw new MalformedResponseError(
      origin,
      `${at}.token_logprobs[${gap + 1}]`,
      "is null, but it is not the first token of the prompt",
    );
  }
}
