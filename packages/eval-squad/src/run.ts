import type { SquadItem } from "./dataset.js";
import { ModelProtocolError } from "./errors.js";
import type { Generator } from "./language-model.js";
import { type Perturbation, type PerturbTarget, perturbItem } from "./perturb.js";
import { type ProgressCallback, ProgressMeter } from "./progress.js";
import { cutAtStop, DEFAULT_TEMPLATE, fillTemplate, type PromptOptions } from "./prompt.js";
import { buildReport, type RobustnessReport, type SquadReport } from "./report.js";
import { appendResults, readResults } from "./results-log.js";
import { type ItemResult, scorePrediction } from "./score.js";

export interface EvaluateOptions {
  /** Any `LanguageModel` (only `generate` is used). */
  model: Generator;
  items: readonly SquadItem[];
  prompt?: PromptOptions;
  /** Default 32: SQuAD answers are short spans. */
  maxNewTokens?: number;
  /** Requests per `generate` call; default 8. */
  batchSize?: number;
  /** Applied to each item's question or context before prompting. */
  perturb?: Perturbation;
  /** Default "question". */
  perturbTarget?: PerturbTarget;
  /** Append-only JSONL of per-question results; ids already in it are not generated again. */
  resultsPath?: string;
  onProgress?: ProgressCallback;
}

export interface Evaluation {
  report: SquadReport;
  /** One result per item, in item order (resumed ones re-scored against the item's answers). */
  results: ItemResult[];
}

/** Generates an answer per question and scores EM / F1 as the official v1.1 script; resumable. */
export async function evaluateSquad(options: EvaluateOptions): Promise<Evaluation> {
  const { model, items, perturb, resultsPath, onProgress } = options;
  const template = options.prompt?.template ?? DEFAULT_TEMPLATE;
  const stop = options.prompt?.stop ?? ["\n"];
  const target = options.perturbTarget ?? "question";
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const maxNewTokens = options.maxNewTokens ?? 32;

  const index = new Map(items.map((item, i) => [item.id, i]));
  const byId = new Map<string, ItemResult>();
  for (const r of resultsPath ? await readResults(resultsPath) : []) {
    const i = index.get(r.id);
    if (i !== undefined) byId.set(r.id, scorePrediction(items[i], r.prediction, r.perturbed));
  }
  const todo = items.filter((i) => !byId.has(i.id));
  const meter = new ProgressMeter(items.length, items.length - todo.length);

  for (let b = 0; b < todo.length; b += batchSize) {
    const batch = todo.slice(b, b + batchSize);
    const shown = batch.map((item) =>
      perturb ? perturbItem(item, index.get(item.id)!, perturb, target) : item,
    );
    const reqs = shown.map((item) => ({ prompt: fillTemplate(template, item), maxNewTokens, stop }));
    const outputs = await model.generate(reqs);
    if (!Array.isArray(outputs) || outputs.length !== batch.length) {
      throw new ModelProtocolError(
        `generate() returned ${outputs?.length} outputs for ${batch.length} requests`,
      );
    }
    const scored = batch.map((item, i) =>
      scorePrediction(item, cutAtStop(outputs[i], stop), shown[i][target] !== item[target]),
    );
    if (resultsPath) await appendResults(resultsPath, scored);
    for (const r of scored) byId.set(r.id, r);
    onProgress?.(meter.advance(batch.length));
  }

  const results = items.map((i) => byId.get(i.id)!);
  return { report: buildReport(results, perturb ? target : undefined), results };
}

export interface RobustnessOptions extends Omit<EvaluateOptions, "perturb" | "resultsPath"> {
  perturb: Perturbation;
  /** One results file per run, so each resumes on its own. */
  resultsPaths?: { clean: string; perturbed: string };
}

/** Runs the same items clean and perturbed and reports both and their difference. */
export async function compareSquadRobustness(options: RobustnessOptions): Promise<RobustnessReport> {
  const { resultsPaths, ...rest } = options;
  const clean = await evaluateSquad({ ...rest, perturb: undefined, resultsPath: resultsPaths?.clean });
  const perturbed = await evaluateSquad({ ...rest, resultsPath: resultsPaths?.perturbed });
  return {
    clean: clean.report,
    perturbed: perturbed.report,
    delta: {
      exactMatch: perturbed.report.exactMatch - clean.report.exactMatch,
      f1: perturbed.report.f1 - clean.report.f1,
    },
  };
}
