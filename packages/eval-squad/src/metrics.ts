import { answerTokens, normalizeAnswer } from "./normalize.js";

/** 1 when prediction and gold normalise to the same string (so "" matches ""), else 0. */
export function exactMatch(prediction: string, gold: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(gold) ? 1 : 0;
}

/**
 * Token F1 over normalised tokens with multiset overlap (Python's Counter `&`). No overlap —
 * including an empty prediction or an empty gold — scores 0, as in the v1.1 script.
 */
export function f1Score(prediction: string, gold: string): number {
  const pred = answerTokens(prediction);
  const ref = answerTokens(gold);
  const counts = new Map<string, number>();
  for (const t of ref) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of pred) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      same++;
      counts.set(t, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / pred.length;
  const recall = same / ref.length;
  return (2 * precision * recall) / (precision + recall);
}

/** `metric_max_over_ground_truths`: the best score against any gold answer. */
export function maxOverGold(
  metric: (p: string, g: string) => number,
  prediction: string,
  golds: readonly string[],
): number {
  let best = 0;
  for (const g of golds) best = Math.max(best, metric(prediction, g));
  return best;
}
