import { type ExtractOptions, type ExtractRule, extractAnswer, sameNumber } from "@shrinkray/answer-extract";
import type { Gsm8kItem } from "./dataset.js";
import {
  flexibleExtractAnswer,
  harnessMatch,
  type StrictStyle,
  strictMatchAnswer,
} from "./harness-metrics.js";

/** One line of the results JSONL: everything needed to re-score without the model. */
export interface ItemResult {
  id: string;
  gold: number;
  /** GSM8K's answer field, kept so harness-style matching can be recomputed. */
  goldAnswer: string;
  output: string;
  predicted: number | null;
  rule: ExtractRule;
  correct: boolean;
  strictMatch: boolean;
  flexibleExtract: boolean;
}

export interface ScoreOptions {
  extract?: ExtractOptions;
  strictStyle?: StrictStyle;
}

export function scoreOutput(
  item: Pick<Gsm8kItem, "id" | "gold" | "answer">,
  output: string,
  options: ScoreOptions = {},
): ItemResult {
  const { value, rule } = extractAnswer(output, options.extract);
  return {
    id: item.id,
    gold: item.gold,
    goldAnswer: item.answer,
    output,
    predicted: value,
    rule,
    correct: sameNumber(value, item.gold),
    strictMatch: harnessMatch(strictMatchAnswer(output, options.strictStyle ?? "gsm8k"), item.answer),
    flexibleExtract: harnessMatch(flexibleExtractAnswer(output), item.answer),
  };
}

/** Re-scores a stored result with the current extractor (results written by older versions). */
export function rescore(result: ItemResult, options: ScoreOptions = {}): ItemResult {
  return scoreOutput({ id: result.id, gold: result.gold, answer: result.goldAnswer }, result.output, options);
}
