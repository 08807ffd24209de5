import type { ExtractOptions } from "@shrinkray/answer-extract";
import type { Gsm8kItem } from "./dataset.js";
import type { Generator } from "./language-model.js";
import { type ProgressCallback, ProgressMeter } from "./progress.js";
import { buildPrompt, type PromptOptions } from "./prompt.js";
import { buildReport, type Gsm8kReport, type ReviewContext } from "./report.js";
import { appendResults, readResults } from "./results-log.js";
import {
  applyReview,
  type ReviewRow,
  type ReviewSelection,
  readReviewFile,
  reviewRow,
  selectForReview,
  writeReviewFile,
} from "./review.js";
import { type ItemResult, rescore, scoreOutput } from "./score.js";

export interface ReviewOptions extends ReviewSelection {
  /**
   * The review file (JSONL). Corrections already in it are applied; then it is rewritten
   * (atomically) with the current selection, keeping every correction the person has made.
   */
  path: string;
}

export interface EvaluateOptions {
  /** Any `LanguageModel` (only `generate` is used). */
  model: Generator;
  items: readonly Gsm8kItem[];
  /** Default: the 8-shot chain-of-thought prompt. */
  prompt?: PromptOptions;
  /** Default 256: enough for gsm8k-cot rationales. */
  maxNewTokens?: number;
  /** Requests per `generate` call; default 8. */
  batchSize?: number;
  /** Append-only JSONL of per-item results; ids already in it are not generated again. */
  resultsPath?: string;
  onProgress?: ProgressCallback;
  extract?: ExtractOptions;
  /** Send low-confidence extractions to a person, and score with their corrections. */
  review?: ReviewOptions;
}

export interface Evaluation {
  report: Gsm8kReport;
  /**
   * One result per item, in item order (resumed ones re-scored with the current extractor), with
   * the person's corrections applied when `review` is set.
   */
  results: ItemResult[];
}

/** Thrown when a model breaks the protocol (a result count that does not match the requests). */
export class ModelProtocolError extends Error {
  override name = "ModelProtocolError";
}

/** Generates, scores and reports; resumable through `resultsPath`. */
export async function evaluateGsm8k(options: EvaluateOptions): Promise<Evaluation> {
  const { model, items, resultsPath, onProgress } = options;
  const prompt = options.prompt ?? { format: { kind: "cot" } };
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const maxNewTokens = options.maxNewTokens ?? 256;
  const scoring = {
    extract: options.extract,
    strictStyle: prompt.format.kind === "cot" ? "cot" : "gsm8k",
  } as const;

  const wanted = new Set(items.map((i) => i.id));
  const byId = new Map<string, ItemResult>();
  for (const r of resultsPath ? await readResults(resultsPath) : []) {
    if (wanted.has(r.id)) byId.set(r.id, rescore(r, scoring));
  }
  const todo = items.filter((i) => !byId.has(i.id));
  const meter = new ProgressMeter(items.length, items.length - todo.length);

  for (let b = 0; b < todo.length; b += batchSize) {
    const batch = todo.slice(b, b + batchSize);
    const reqs = batch.map((item) => ({ ...buildPrompt(item, prompt), maxNewTokens }));
    const outputs = await model.generate(reqs);
    if (!Array.isArray(outputs) || outputs.length !== batch.length) {
      throw new ModelProtocolError(
        `generate() returned ${outputs?.length} outputs for ${batch.length} requests`,
      );
    }
    const scored = batch.map((item, i) => scoreOutput(item, outputs[i], scoring));
    if (resultsPath) await appendResults(resultsPath, scored);
    for (const r of scored) byId.set(r.id, r);
    onProgress?.(meter.advance(batch.length));
  }

  const results = items.map((i) => byId.get(i.id)!);
  if (!options.review) return { report: buildReport(results), results };
  return review(results, items, options.review);
}

/** Applies the corrections in the review file, then rewrites it with the current selection. */
async function review(
  auto: ItemResult[],
  items: readonly Gsm8kItem[],
  options: ReviewOptions,
): Promise<Evaluation> {
  const corrections = await readReviewFile(options.path);
  const { results, stale } = applyReview(auto, corrections);
  const questions = new Map(items.map((i) => [i.id, i.question]));
  const candidates = selectForReview(auto, { levels: options.levels });
  const selected = selectForReview(auto, options);
  const staleIds = new Set(stale);
  const rows: ReviewRow[] = [];
  const queued = new Set<string>();
  const add = (r: ItemResult) => {
    if (queued.has(r.id)) return;
    queued.add(r.id);
    const kept = staleIds.has(r.id) ? undefined : corrections.get(r.id)?.raw;
    rows.push(reviewRow(r, questions.get(r.id) ?? "", kept));
  };
  selected.forEach(add);
  // A person's work is never dropped: corrections outside the selection stay in the file.
  results.filter((r) => r.review).forEach(add);
  await writeReviewFile(options.path, rows);
  const context: ReviewContext = {
    file: options.path,
    candidates: candidates.length,
    queued: rows.length,
    stale: stale.length,
  };
  return { report: buildReport(results, context), results };
}
