/**
 * Held-out accuracy of a toy model: word problems by greedy generation scored with
 * eval-gsm8k's scoreOutput (answer-extract's extractAnswer, and the harness's strict "####"
 * match), multiple choice by log-likelihood of the option letters with eval-rupbench.
 */
import { type ItemResult, scoreOutput } from "@shrinkray/eval-gsm8k";
import {
  type Perturbation,
  type RupItem,
  type ScoredItem,
  scoreByLoglikelihood,
} from "@shrinkray/eval-rupbench";
import { type CausalLM, ModelLanguageModel } from "@shrinkray/models";
import { GSM_STOP, gsmPrompt } from "./format.js";
import { type WordProblem, wordProblems } from "./tasks/arithmetic.js";
import { choiceItems } from "./tasks/choice.js";

/** Room for three worked lines and the "#### N" line. */
export const ANSWER_TOKENS = 72;

export interface GsmScore {
  accuracy: number;
  strictAccuracy: number;
  results: ItemResult[];
}

export async function scoreWordProblems(
  model: CausalLM,
  items: readonly WordProblem[],
  opts: { batchSize?: number } = {},
): Promise<GsmScore> {
  const lm = new ModelLanguageModel(model, { batchSize: opts.batchSize ?? 32 });
  const outputs = await lm.generate(
    items.map((p) => ({ prompt: gsmPrompt(p.question), maxNewTokens: ANSWER_TOKENS, stop: GSM_STOP })),
  );
  const results = items.map((p, i) => scoreOutput(p, outputs[i]));
  const share = (f: (r: ItemResult) => boolean) => results.filter(f).length / Math.max(1, results.length);
  return { accuracy: share((r) => r.correct), strictAccuracy: share((r) => r.strictMatch), results };
}

export interface ChoiceScore {
  accuracy: number;
  /** Accuracy on each scored perturbation. */
  perturbed: Partial<Record<Perturbation, number>>;
  scored: ScoredItem[];
}

export async function scoreChoices(
  model: CausalLM,
  items: readonly RupItem[],
  opts: { perturbations?: readonly Perturbation[]; batchSize?: number } = {},
): Promise<ChoiceScore> {
  const lm = new ModelLanguageModel(model, { batchSize: opts.batchSize ?? 32 });
  const perturbations = opts.perturbations ?? [];
  const scored = await scoreByLoglikelihood(lm, items, { continuation: "label", perturbations });
  const share = (v: "original" | Perturbation) =>
    scored.filter((s) => s.scores[v]?.correct).length / Math.max(1, scored.length);
  return {
    accuracy: share("original"),
    perturbed: Object.fromEntries(perturbations.map((p) => [p, share(p)])),
    scored,
  };
}

/** The held-out sets of a seed: the first `count` items of each task's held-out split. */
export function heldOut(seed: number, counts: { wordProblems: number; choices: number }) {
  return {
    wordProblems: wordProblems({ split: "heldout", seed, count: counts.wordProblems }),
    choices: choiceItems({ split: "heldout", seed, count: counts.choices }),
  };
}
