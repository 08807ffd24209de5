import {
  type Confidence,
  type ExtractOptions,
  type ExtractRule,
  extractWithConfidence,
  sameNumber,
} from "@shrinkray/answer-extract";
import type { Gsm8kItem } from "./dataset.js";
import {
  flexibleExtractAnswer,
  harnessMatch,
  type StrictStyle,
  strictMatchAnswer,
} from "./harness-metrics.js";
import type { Generation } from "./language-model.js";

/** A person's correction of one extraction, applied over the automatic one (see review.ts). */
export interface AppliedReview {
  /** What the person read: a number, or null for "none" (no answer in the output). */
  corrected: number | null;
  /** The automatic extraction it replaced. */
  autoPredicted: number | null;
  autoCorrect: boolean;
}

/** One line of the results JSONL: everything needed to re-score without the model. */
export interface ItemResult {
  id: string;
  gold: number;
  /** GSM8K's answer field, kept so harness-style matching can be recomputed. */
  goldAnswer: string;
  output: string;
  /** How generation ended, when the model said ("length": it hit `maxNewTokens`). */
  finishReason?: Generation["finishReason"];
  /** The answer scored: the automatic extraction, or a person's correction when `review` is set. */
  predicted: number | null;
  /** The extraction rule that fired (unchanged by a review). */
  rule: ExtractRule;
  /** How far to trust the automatic extraction (recomputed when a stored result is re-scored). */
  confidence: Confidence;
  correct: boolean;
  strictMatch: boolean;
  flexibleExtract: boolean;
  /** Present when a person's correction overrides the automatic extraction. Never logged. */
  review?: AppliedReview;
}

export interface ScoreOptions {
  extract?: ExtractOptions;
  strictStyle?: StrictStyle;
}

export function scoreOutput(
  item: Pick<Gsm8kItem, "id" | "gold" | "answer">,
  output: string | Generation,
  options: ScoreOptions = {},
): ItemResult {
  const { text, finishReason } =
    typeof output === "string" ? { text: output, finishReason: undefined } : output;
  const truncated = finishReason === undefined ? undefined : finishReason === "length";
  const { value, rule, confidence } = extractWithConfidence(text, { ...options.extract, truncated });
  return {
    id: item.id,
    gold: item.gold,
    goldAnswer: item.answer,
    output: text,
    ...(finishReason ? { finishReason } : {}),
    predicted: value,
    rule,
    confidence,
    correct: sameNumber(value, item.gold),
    strictMatch: harnessMatch(strictMatchAnswer(text, options.strictStyle ?? "gsm8k"), item.answer),
    flexibleExtract: harnessMatch(flexibleExtractAnswer(text), item.answer),
  };
}

/** Re-scores a stored result with the current extractor (results written by older versions). */
export function rescore(result: ItemResult, options: ScoreOptions = {}): ItemResult {
  const item = { id: result.id, gold: result.gold, answer: result.goldAnswer };
  return scoreOutput(item, { text: result.output, finishReason: result.finishReason }, options);
}
