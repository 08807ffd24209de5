/**
 * How toy items are shown to the teacher: the exact layouts the evaluation packages build, so
 * what the model was trained on is what it is tested on.
 * - word problems: eval-gsm8k's zero-shot prompt "Question: ...\nAnswer:" and " <answer>";
 * - multiple choice: eval-rupbench's RUPBENCH_PROMPT and " <letter>" (score with the
 *   `label` continuation style).
 */
import type { Gsm8kItem } from "@shrinkray/eval-gsm8k";
import { buildPrompt, type RupItem } from "@shrinkray/eval-rupbench";

export interface Example {
  prompt: string;
  completion: string;
}

export const gsmPrompt = (question: string) => `Question: ${question}\nAnswer:`;

/** eval-gsm8k's stop strings for its zero-shot format. */
export const GSM_STOP = ["Question:"];

export function gsmExample(item: Gsm8kItem): Example {
  return { prompt: gsmPrompt(item.question), completion: ` ${item.answer}` };
}

/** `text` is the item's original or one of its perturbed versions. */
export function choiceExample(item: RupItem, text = item.original): Example {
  return { prompt: buildPrompt(item, text), completion: ` ${item.gold}` };
}
