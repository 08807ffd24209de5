// Perplexity needs tokens, not strings, so this package declares the token-level interface it
// consumes (DESIGN.md); `models` implements it for a loaded model, structurally, without either
// package importing the other.

/** A run of token ids fed to the model as-is, and where its scored part begins. */
export interface ScoreWindow {
  /** Token ids, in order. Nothing is added by the scorer: no BOS, no padding visible to the sum. */
  ids: number[];
  /**
   * Index of the first scored position, 1 ≤ scoreFrom < ids.length. Position 0 is never scored:
   * nothing in the window precedes it.
   */
  scoreFrom: number;
}

/** The summed negative log-likelihood of a window's scored tokens, and how many there were. */
export interface WindowNll {
  /** Σ_{t = scoreFrom}^{ids.length-1} −ln p(ids[t] | ids[0..t-1]), in nats. */
  nll: number;
  /** ids.length − scoreFrom. */
  tokens: number;
}

export interface TokenScorer {
  /**
   * The tokenizer's ordinary encoding of `text`, special tokens included exactly as the model's
   * tokenizer adds them by default (e.g. Llama's BOS): the GPTQ numbers are measured that way.
   */
  tokenize(text: string): Promise<number[]> | number[];
  /**
   * One result per window, in order. Each window is an independent forward pass with a causal
   * mask (no state carried between windows); the batch is a throughput hint only.
   */
  nll(windows: ScoreWindow[]): Promise<WindowNll[]>;
}
