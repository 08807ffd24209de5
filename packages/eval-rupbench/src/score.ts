import { extractChoice, extractNumber, extractWord } from "./extract.js";
import { isDefective, type RupItem, type RupOption } from "./item.js";
import type { LanguageModel } from "./model.js";
import { PERTURBATIONS, type Perturbation } from "./perturbation-kinds.js";
import { buildPrompt, type PromptFormat, RUPBENCH_PROMPT } from "./prompt.js";

/** The original text, or one of the nine perturbed versions. */
export type Variant = "original" | Perturbation;

export interface VariantScore {
  correct: boolean;
  /** Length-normalised choice (lm-eval's acc_norm); log-likelihood scoring only. */
  correctNorm?: boolean;
  /** The chosen label/word/number, or undefined when none could be extracted. */
  prediction?: string;
}

/** One item's results on the original and each scored perturbation. */
export interface ScoredItem {
  id: string;
  dataset: string;
  category: string;
  /** Per perturbation: whether a data defect makes its comparison meaningless. */
  defective: Partial<Record<Perturbation, boolean>>;
  scores: Partial<Record<Variant, VariantScore>>;
}

/**
 * How an option is scored as a continuation of the prompt:
 * - `text`: " " + option text (lm-eval's PIQA/ARC/HellaSwag style; the default),
 * - `label`: " A" (lm-eval's MMLU style; needs the options shown in the prompt),
 * - `label-text`: " A: option text".
 */
export type ContinuationStyle = "text" | "label" | "label-text";

export interface ScoreOptions {
  format?: PromptFormat;
  /** Which perturbations to score besides the original (default all nine). */
  perturbations?: readonly Perturbation[];
  /** Requests per model call (default 64). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface LoglikelihoodOptions extends ScoreOptions {
  continuation?: ContinuationStyle;
}

export interface GenerationOptions extends ScoreOptions {
  maxNewTokens?: number;
  stop?: string[];
}

export class UnscorableItemError extends Error {
  constructor(item: RupItem, why: string) {
    super(`item ${item.id} (${item.dataset}): ${why}`);
    this.name = "UnscorableItemError";
  }
}

function textOf(item: RupItem, variant: Variant): string {
  return variant === "original" ? item.original : item.perturbed[variant];
}

function continuationText(option: RupOption, style: ContinuationStyle): string {
  if (style === "label") return option.label;
  if (style === "label-text") return `${option.label}: ${option.text}`;
  return option.text;
}

/** Calls `fn` on unique requests in batches; identical requests (no-op perturbations) run once. */
async function runUnique<Req, Res>(
  requests: Req[],
  key: (r: Req) => string,
  fn: (batch: Req[]) => Promise<Res[]>,
  batchSize: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Res[]> {
  const index = new Map<string, number>();
  const unique: Req[] = [];
  const slot = requests.map((r) => {
    const k = key(r);
    let i = index.get(k);
    if (i === undefined) {
      i = unique.length;
      index.set(k, i);
      unique.push(r);
    }
    return i;
  });
  const results: Res[] = [];
  for (let start = 0; start < unique.length; start += batchSize) {
    const batch = unique.slice(start, start + batchSize);
    const out = await fn(batch);
    if (out.length !== batch.length) {
      throw new Error(`model returned ${out.length} results for ${batch.length} requests`);
    }
    results.push(...out);
    onProgress?.(results.length, unique.length);
  }
  return slot.map((i) => results[i]);
}

function scaffold(items: readonly RupItem[], perturbations: readonly Perturbation[]): ScoredItem[] {
  return items.map((item) => ({
    id: item.id,
    dataset: item.dataset,
    category: item.category,
    defective: Object.fromEntries(perturbations.map((p) => [p, isDefective(item, p)])),
    scores: {},
  }));
}

const argmax = (xs: number[]) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

/**
 * Multiple choice by log-likelihood, as lm-evaluation-harness scores it: every option is a
 * continuation of the same prompt, the highest log-probability wins (acc), and acc_norm divides
 * each log-probability by the continuation's length in characters (without the leading space).
 * NumerSense-style `open` items score their candidate words the same way.
 */
export async function scoreByLoglikelihood(
  model: LanguageModel,
  items: readonly RupItem[],
  options: LoglikelihoodOptions = {},
): Promise<ScoredItem[]> {
  const format = options.format ?? RUPBENCH_PROMPT;
  const style = options.continuation ?? "text";
  const perturbations = options.perturbations ?? PERTURBATIONS;
  const variants: Variant[] = ["original", ...perturbations];
  const requests: { context: string; continuation: string }[] = [];
  const plan: { item: number; variant: Variant; first: number; count: number }[] = [];
  items.forEach((item, i) => {
    if (item.options.length === 0)
      throw new UnscorableItemError(item, "no options to score by log-likelihood");
    for (const variant of variants) {
      const context = buildPrompt(item, textOf(item, variant), format);
      plan.push({ item: i, variant, first: requests.length, count: item.options.length });
      const optStyle = item.answerKind === "choice" ? style : "text";
      for (const o of item.options)
        requests.push({ context, continuation: ` ${continuationText(o, optStyle)}` });
    }
  });
  const results = await runUnique(
    requests,
    (r) => `${r.context}\u0000${r.continuation}`,
    (batch) => model.loglikelihood(batch),
    options.batchSize ?? 64,
    options.onProgress,
  );
  const scored = scaffold(items, perturbations);
  for (const p of plan) {
    const item = items[p.item];
    const lls = results.slice(p.first, p.first + p.count).map((r) => r.logprob);
    const lengths = requests
      .slice(p.first, p.first + p.count)
      .map((r) => Math.max(1, r.continuation.length - 1));
    const pick = item.options[argmax(lls)].label;
    const pickNorm = item.options[argmax(lls.map((ll, k) => ll / lengths[k]))].label;
    scored[p.item].scores[p.variant] = {
      correct: pick === item.gold,
      correctNorm: pickNorm === item.gold,
      prediction: pick,
    };
  }
  return scored;
}

function judge(item: RupItem, response: string): VariantScore {
  if (item.answerKind === "choice") {
    const prediction = extractChoice(response, item.options);
    return { correct: prediction === item.gold, prediction };
  }
  if (item.answerKind === "open") {
    const prediction = extractWord(
      response,
      item.options.map((o) => o.text),
    );
    return { correct: prediction === item.gold, prediction };
  }
  const n = extractNumber(response);
  const gold = Number(item.gold.replace(/,/g, ""));
  return {
    correct: n !== undefined && Math.abs(n - gold) < 1e-6,
    prediction: n === undefined ? undefined : String(n),
  };
}

/** Generation scoring: the model answers freely; the label, word or number is extracted. */
export async function scoreByGeneration(
  model: LanguageModel,
  items: readonly RupItem[],
  options: GenerationOptions = {},
): Promise<ScoredItem[]> {
  const format = options.format ?? RUPBENCH_PROMPT;
  const perturbations = options.perturbations ?? PERTURBATIONS;
  const variants: Variant[] = ["original", ...perturbations];
  const stop = options.stop ?? ["\n\n", "\nQuestion:"];
  const maxNewTokens = options.maxNewTokens ?? 32;
  const plan: { item: number; variant: Variant }[] = [];
  const requests = items.flatMap((item, i) =>
    variants.map((variant) => {
      plan.push({ item: i, variant });
      return { prompt: buildPrompt(item, textOf(item, variant), format), maxNewTokens, stop };
    }),
  );
  const responses = await runUnique(
    requests,
    (r) => r.prompt,
    (batch) => model.generate(batch),
    options.batchSize ?? 64,
    options.onProgress,
  );
  const scored = scaffold(items, perturbations);
  plan.forEach((p, k) => {
    scored[p.item].scores[p.variant] = judge(items[p.item], responses[k]);
  });
  return scored;
}
