import type { MmluItem } from "./dataset.js";
import { ModelProtocolError } from "./errors.js";
import type { LoglikelihoodScorer } from "./language-model.js";
import { type ProgressCallback, ProgressMeter } from "./progress.js";
import { buildChatPrompt, buildPrompt, type ChatTemplate, CONTINUATIONS } from "./prompt.js";
import { buildReport, type MmluReport } from "./report.js";
import { appendResults, readResults } from "./results-log.js";
import { type ItemResult, scoreItem } from "./score.js";

export interface EvaluateOptions {
  /** Any `LanguageModel` (only `loglikelihood` is used). */
  model: LoglikelihoodScorer;
  items: readonly MmluItem[];
  /** Exemplars per subject (the dev split); a subject without any is evaluated 0-shot. */
  dev?: Readonly<Record<string, readonly MmluItem[]>>;
  /** Exemplars per prompt, the first ones of the subject's dev rows; default 5. */
  shots?: number;
  /** Prompts through a chat template, exemplars as turns (lm-eval's --apply_chat_template). */
  chatTemplate?: ChatTemplate;
  /** A system prompt before the subject description. */
  systemPrompt?: string;
  /** Questions per `loglikelihood` call (4 requests each); default 8. */
  batchSize?: number;
  /** Append-only JSONL of per-question results; ids already in it are not scored again. */
  resultsPath?: string;
  onProgress?: ProgressCallback;
}

export interface Evaluation {
  report: MmluReport;
  /** One result per item, in item order. */
  results: ItemResult[];
}

/** Scores each question by the log-likelihood of " A".." D" and reports; resumable. */
export async function evaluateMmlu(options: EvaluateOptions): Promise<Evaluation> {
  const { model, items, dev = {}, resultsPath, onProgress } = options;
  const shots = options.shots ?? 5;
  const batchSize = Math.max(1, options.batchSize ?? 8);

  const wanted = new Set(items.map((i) => i.id));
  const byId = new Map<string, ItemResult>();
  for (const r of resultsPath ? await readResults(resultsPath) : []) if (wanted.has(r.id)) byId.set(r.id, r);
  const todo = items.filter((i) => !byId.has(i.id));
  const meter = new ProgressMeter(items.length, items.length - todo.length);

  for (let b = 0; b < todo.length; b += batchSize) {
    const batch = todo.slice(b, b + batchSize);
    const reqs = batch.flatMap((item) => {
      const exemplars = (dev[item.subject] ?? []).slice(0, shots);
      const context = options.chatTemplate
        ? buildChatPrompt(item, exemplars, options.chatTemplate, { systemPrompt: options.systemPrompt })
        : buildPrompt(item, exemplars, { systemPrompt: options.systemPrompt });
      return CONTINUATIONS.map((continuation) => ({ context, continuation }));
    });
    const out = await model.loglikelihood(reqs);
    if (!Array.isArray(out) || out.length !== reqs.length) {
      throw new ModelProtocolError(
        `loglikelihood() returned ${out?.length} results for ${reqs.length} requests`,
      );
    }
    const scored = batch.map((item, i) =>
      scoreItem(
        item,
        out.slice(4 * i, 4 * i + 4).map((o) => o.logprob),
      ),
    );
    if (resultsPath) await appendResults(resultsPath, scored);
    for (const r of scored) byId.set(r.id, r);
    onProgress?.(meter.advance(batch.length));
  }

  const results = items.map((i) => byId.get(i.id)!);
  return { report: buildReport(results), results };
}
