import type { ScoreWindow, TokenScorer } from "./token-scorer.js";

/**
 * A unigram "model" over the letters a, b, c (ids 0, 1, 2): p(token) ignores context, so a
 * window's NLL is a sum a test can work out by hand. It records every window it is asked about.
 */
export class UnigramScorer implements TokenScorer {
  readonly seen: ScoreWindow[] = [];
  readonly calls: number[] = [];
  constructor(readonly probs: number[] = [0.5, 0.25, 0.25]) {}

  tokenize(text: string): number[] {
    return [...text].map((c) => {
      const id = c.charCodeAt(0) - 97;
      if (id < 0 || id >= this.probs.length) throw new Error(`unknown character ${c}`);
      return id;
    });
  }

  async nll(windows: ScoreWindow[]): Promise<{ nll: number; tokens: number }[]> {
    this.calls.push(windows.length);
    this.seen.push(...windows.map((w) => ({ ids: [...w.ids], scoreFrom: w.scoreFrom })));
    return windows.map((w) => {
      let nll = 0;
      for (let t = w.scoreFrom; t < w.ids.length; t++) nll -= Math.log(this.probs[w.ids[t]]);
      return { nll, tokens: w.ids.length - w.scoreFrom };
    });
  }
}
