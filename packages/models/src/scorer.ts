/**
 * Token-level scoring for perplexity: the negative log-likelihood of windows of token ids,
 * with the strided sliding-window recipe of transformers' perplexity guide (each window
 * re-reads up to maxLength - stride tokens of context and scores only the new ones).
 */
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import type { CausalLM } from "./causal-lm.js";
import type { Tokenizer } from "./tokenizer.js";

export interface TokenWindow {
  ids: number[];
  /** Tokens before this index are context only; targets from here on are scored (default 1). */
  scoreFrom?: number;
}

export interface WindowScore {
  /** Summed NLL (nats) of the scored tokens. */
  nll: number;
  /** How many tokens were scored (eval-perplexity's WindowNll field name). */
  tokens: number;
}

/** The scorer eval-perplexity consumes. */
export interface TokenScorer {
  tokenize(text: string): number[];
  nll(windows: TokenWindow[]): Promise<WindowScore[]>;
}

export class ModelTokenScorer implements TokenScorer {
  constructor(
    readonly model: CausalLM,
    readonly tokenizer: Tokenizer | null = model.tokenizer,
    /** Windows of equal length are run together, this many at a time. */
    readonly batchSize = 1,
  ) {}

  tokenize(text: string): number[] {
    if (!this.tokenizer) throw new TypeError("ModelTokenScorer: no tokenizer");
    return this.tokenizer.encode(text);
  }

  async nll(windows: TokenWindow[]): Promise<WindowScore[]> {
    const out = new Array<WindowScore>(windows.length);
    const byLength = new Map<number, number[]>();
    windows.forEach((w, i) => {
      byLength.set(w.ids.length, [...(byLength.get(w.ids.length) ?? []), i]);
    });
    for (const [T, idx] of byLength) {
      for (let s = 0; s < idx.length; s += this.batchSize) {
        const batch = idx.slice(s, s + this.batchSize);
        if (T < 2) {
          for (const i of batch) out[i] = { nll: 0, tokens: 0 };
          continue;
        }
        const ids = Int32Array.from(batch.flatMap((i) => windows[i].ids));
        // Targets are the next tokens; context-only positions get PyTorch's ignore index.
        const targets = Int32Array.from(
          batch.flatMap((i) =>
            windows[i].ids.slice(1).map((t, j) => (j + 1 >= (windows[i].scoreFrom ?? 1) ? t : -100)),
          ),
        );
        // Position j predicts token j + 1; the last position has nothing to predict.
        const perPosition = new Int32Array(batch.length * T).fill(-100);
        batch.forEach((_, b) => {
          perPosition.set(targets.subarray(b * (T - 1), (b + 1) * (T - 1)), b * T);
        });
        const scored = noGrad(() =>
          this.model.scoreTargets(Tensor.from(ids, [batch.length, T]), perPosition),
        );
        const logprobs = (await scored.logprobs.data()) as Float32Array;
        scored.logprobs.dispose();
        scored.greedy.dispose();
        // NLL per target in the layout the loop below reads: [B, T − 1], ignored ones never read.
        const v = new Float32Array(batch.length * (T - 1));
        let at = 0;
        for (let j = 0; j < v.length; j++) if (targets[j] !== -100) v[j] = -logprobs[at++];
        batch.forEach((i, b) => {
          let sum = 0;
          let count = 0;
          for (let j = 0; j < T - 1; j++) {
            if (targets[b * (T - 1) + j] === -100) continue;
            sum += v[b * (T - 1) + j];
            count++;
          }
          out[i] = { nll: sum, tokens: count };
        });
      }
    }
    return out;
  }
}

/** transformers' strided windows over one long sequence; each target token is scored once. */
export function slidingWindows(ids: number[], maxLength: number, stride = maxLength): TokenWindow[] {
  if (stride < 1 || stride > maxLength)
    throw new RangeError(`stride must be in [1, ${maxLength}], got ${stride}`);
  const out: TokenWindow[] = [];
  let prevEnd = 0;
  for (let begin = 0; begin < ids.length; begin += stride) {
    const end = Math.min(begin + maxLength, ids.length);
    const newTokens = end - prevEnd;
    out.push({ ids: ids.slice(begin, end), scoreFrom: Math.max(1, end - begin - newTokens) });
    prevEnd = end;
    if (end === ids.length) break;
  }
  return out;
}

/** exp(mean NLL) over a token sequence with strided windows. */
export async function perplexity(
  scorer: TokenScorer,
  ids: number[],
  opts: { maxLength: number; stride?: number },
): Promise<{ perplexity: number; nll: number; count: number }> {
  const scores = await scorer.nll(slidingWindows(ids, opts.maxLength, opts.stride));
  const nll = scores.reduce((s, w) => s + w.nll, 0);
  const count = scores.reduce((s, w) => s + w.tokens, 0);
  return { perplexity: Math.exp(nll / count), nll, count };
}
