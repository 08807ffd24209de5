import type { MmluItem } from "./dataset.js";

export interface ItemResult {
  id: string;
  subject: string;
  /** Gold and predicted choice index, 0..3. */
  answer: number;
  predicted: number;
  correct: boolean;
  /** ln p(" A" | prompt) … ln p(" D" | prompt). */
  logprobs: number[];
}

/** The choice with the highest log-likelihood; a tie goes to the earlier letter, as numpy's argmax. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function scoreItem(item: MmluItem, logprobs: number[]): ItemResult {
  const predicted = argmax(logprobs);
  return {
    id: item.id,
    subject: item.subject,
    answer: item.answer,
    predicted,
    correct: predicted === item.answer,
    logprobs,
  };
}
