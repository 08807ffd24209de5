import { scanNumbers } from "./numbers.js";

/** Thrown when a GSM8K reference answer has no "#### N" line. */
export class GoldAnswerError extends Error {
  override name = "GoldAnswerError";
}

/** The reference number of a GSM8K `answer` field: the "#### N" line ("#### 1,000" → 1000). */
export function extractGold(gsm8kAnswer: string): number {
  const at = gsm8kAnswer.lastIndexOf("####");
  const nums = at === -1 ? [] : scanNumbers(gsm8kAnswer, at + 4);
  if (nums.length === 0) {
    const tail = JSON.stringify(gsm8kAnswer.slice(-60));
    throw new GoldAnswerError(`GSM8K answer has no "#### N" line (ends with ${tail})`);
  }
  return nums[0].value;
}

/**
 * Whether two answers are the same number, allowing float noise (0.1 + 0.2 vs 0.3) but not
 * rounding (0.33 vs 1/3). A null (nothing extracted) equals nothing.
 */
export function sameNumber(a: number | null, b: number | null, relTol = 1e-6): boolean {
  if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) return false;
  return Math.abs(a - b) <= relTol * Math.max(1, Math.abs(a), Math.abs(b));
}
