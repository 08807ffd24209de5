import { ScorerProtocolError } from "./errors.js";
import { type ProgressCallback, ProgressMeter } from "./progress.js";
import type { TokenScorer } from "./token-scorer.js";
import { gptqWindows, slidingWindows, type WindowSpan } from "./windows.js";

export interface PerplexityOptions {
  scorer: TokenScorer;
  /** The evaluation text, tokenized once as a whole (give `ids` instead to skip tokenizing). */
  text?: string;
  ids?: readonly number[];
  /** Window length in tokens (GPTQ: the model's context, 2048 for OPT/Llama-1). */
  seqLen: number;
  /** Omitted: GPTQ's non-overlapping windows. Given: HF's strided sliding windows. */
  stride?: number;
  /** Cut the token stream to its first `maxTokens` tokens first (GPTQ's C4: 256 × seqLen). */
  maxTokens?: number;
  /** Windows per `nll` call; default 1. */
  batchSize?: number;
  onProgress?: ProgressCallback;
}

export interface PerplexityReport {
  protocol: "gptq" | "sliding";
  /** exp(totalNll / tokens). */
  ppl: number;
  /** Mean NLL per scored token, in nats. */
  meanNll: number;
  totalNll: number;
  /** Tokens scored (each once). */
  tokens: number;
  windows: number;
  seqLen: number;
  /** Token step between window starts (= seqLen for the GPTQ protocol). */
  stride: number;
  /** Tokens in the (possibly cut) stream, and how many of them no window reached (GPTQ's tail). */
  inputTokens: number;
  droppedTokens: number;
}

function checkResult(r: { nll: number; tokens: number } | undefined, span: WindowSpan, i: number): void {
  const expected = span.end - span.start - span.scoreFrom;
  if (!r || !Number.isFinite(r.nll) || r.tokens !== expected) {
    throw new ScorerProtocolError(
      `nll() result ${i} is ${JSON.stringify(r)}; expected a finite nll over ${expected} tokens`,
    );
  }
}

/** Perplexity of a scorer on one text, with the window settings that produced it. */
export async function evaluatePerplexity(options: PerplexityOptions): Promise<PerplexityReport> {
  const { scorer, seqLen, stride, onProgress } = options;
  let ids: readonly number[];
  if (options.ids) ids = options.ids;
  else if (options.text !== undefined) ids = await scorer.tokenize(options.text);
  else throw new TypeError("evaluatePerplexity needs `text` or `ids`");
  if (options.maxTokens !== undefined) ids = ids.slice(0, options.maxTokens);

  const spans =
    stride === undefined ? gptqWindows(ids.length, seqLen) : slidingWindows(ids.length, seqLen, stride);
  const batchSize = Math.max(1, options.batchSize ?? 1);
  const meter = new ProgressMeter(spans.length, 0);
  let totalNll = 0;
  let tokens = 0;
  for (let b = 0; b < spans.length; b += batchSize) {
    const batch = spans.slice(b, b + batchSize);
    const results = await scorer.nll(
      batch.map((s) => ({ ids: ids.slice(s.start, s.end), scoreFrom: s.scoreFrom })),
    );
    if (!Array.isArray(results) || results.length !== batch.length) {
      throw new ScorerProtocolError(`nll() returned ${results?.length} results for ${batch.length} windows`);
    }
    batch.forEach((span, i) => {
      checkResult(results[i], span, b + i);
      totalNll += results[i].nll;
      tokens += results[i].tokens;
    });
    onProgress?.(meter.advance(batch.length));
  }

  const covered = spans.length > 0 ? spans[spans.length - 1].end : 0;
  const meanNll = tokens > 0 ? totalNll / tokens : Number.NaN;
  return {
    protocol: stride === undefined ? "gptq" : "sliding",
    ppl: Math.exp(meanNll),
    meanNll,
    totalNll,
    tokens,
    windows: spans.length,
    seqLen,
    stride: stride ?? seqLen,
    inputTokens: ids.length,
    droppedTokens: ids.length - covered,
  };
}
