import { existsSync } from "node:fs";
import { join } from "node:path";
import { evaluateGsm8k } from "@shrinkray/eval-gsm8k";
import { bySubject, evaluateMmlu, loadMmluSplit, type MmluItem } from "@shrinkray/eval-mmlu";
import { evaluatePerplexity } from "@shrinkray/eval-perplexity";
import {
  createRng,
  PERTURBATIONS,
  type Perturbation,
  promptFormat,
  buildReport as rupReport,
  scoreByGeneration,
  scoreByLoglikelihood,
  typos,
} from "@shrinkray/eval-rupbench";
import { compareSquadRobustness } from "@shrinkray/eval-squad";
import { type CausalLM, ModelLanguageModel, ModelTokenScorer } from "@shrinkray/models";
import { RunnerError } from "../cli/errors.js";
import type { EvalSpec } from "../experiment/schema.js";
import type { MetricValue } from "../report/results.js";
import { datasetText } from "./calibration.js";
import { type Dataset, expectKind } from "./data.js";

const iv = (i: { low: number; high: number }, scale = 1): [number, number] => [i.low * scale, i.high * scale];

const accuracy = (name: string, value: number, ci: { low: number; high: number }): MetricValue => ({
  name,
  value,
  interval: iv(ci),
  higherIsBetter: true,
});

/** What an evaluation needs of a model: the protocol, and token-level scoring for perplexity. */
export interface ModelHandle {
  lm: ModelLanguageModel | LanguageModelLike;
  scorer?: ModelTokenScorer;
  /** The model's chat template, ending with the assistant cue (where the tokenizer has one). */
  chat?: (messages: { role: "system" | "user" | "assistant"; content: string }[]) => string;
}

type LanguageModelLike = {
  generate(reqs: { prompt: string; maxNewTokens: number; stop?: string[] }[]): Promise<string[]>;
  loglikelihood(
    reqs: { context: string; continuation: string }[],
  ): Promise<{ logprob: number; greedy: boolean }[]>;
};

export function handleFor(model: CausalLM): ModelHandle {
  if (!model.tokenizer)
    throw new RunnerError("the model directory has no tokenizer.json; evaluations need one");
  model.eval();
  const tok = model.tokenizer;
  return {
    lm: new ModelLanguageModel(model, { batchSize: 8 }),
    scorer: new ModelTokenScorer(model, tok, 4),
    chat: tok.hasChatTemplate
      ? (messages) => tok.applyChatTemplate(messages, { addGenerationPrompt: true })
      : undefined,
  };
}

export interface EvalOutcome {
  metrics: MetricValue[];
  /** The evaluation package's own report, kept whole in results.json. */
  report: unknown;
}

/** Runs one evaluation of an experiment on one model and turns its report into metrics. */
export async function runEvaluation(
  spec: EvalSpec,
  handle: ModelHandle,
  data: Dataset,
  dataName: string,
  workDir: string,
): Promise<EvalOutcome> {
  const lm = handle.lm;
  const run = async (): Promise<EvalOutcome> => {
    switch (spec.task) {
      case "gsm8k": {
        const { items } = expectKind(data, "gsm8k", dataName, spec.task);
        const ev = await evaluateGsm8k({
          model: lm,
          items,
          prompt: {
            format: gsm8kFormat(spec),
            chatTemplate: spec.chatTemplate ? chatOf(handle, "gsm8k") : undefined,
            systemPrompt: spec.systemPrompt,
          },
          maxNewTokens: spec.maxNewTokens ?? 128,
          resultsPath: join(workDir, "gsm8k-results.jsonl"),
        });
        return {
          metrics: [accuracy(`${dataName} accuracy`, ev.report.accuracy, ev.report.ci95)],
          report: { ...ev.report, failures: ev.report.failures.slice(0, 20) },
        };
      }
      case "rupbench": {
        const { items } = expectKind(data, "rupbench", dataName, spec.task);
        const perturbations = (spec.perturbations ?? PERTURBATIONS) as Perturbation[];
        for (const p of perturbations) {
          if (!PERTURBATIONS.includes(p))
            throw new RunnerError(
              `evaluation rupbench: unknown perturbation "${p}" (known: ${PERTURBATIONS.join(", ")})`,
            );
        }
        const format = spec.prompt === "plain" ? promptFormat({ system: "" }) : undefined;
        const scored =
          spec.mode === "generate"
            ? await scoreByGeneration(lm, items, {
                perturbations,
                format,
                maxNewTokens: spec.maxNewTokens,
                stop: ["Question:", "\n\n"],
              })
            : await scoreByLoglikelihood(lm, items, {
                perturbations,
                format,
                continuation: spec.continuation,
              });
        const report = rupReport(scored);
        const o = report.overall;
        const metrics: MetricValue[] = [
          {
            name: `${dataName} accuracy`,
            value: o.accOriginal,
            interval: iv(o.accOriginalCI),
            higherIsBetter: true,
          },
          { name: `${dataName} perturbed accuracy`, value: o.mean.accPerturbed, higherIsBetter: true },
        ];
        for (const p of o.perturbations) {
          metrics.push({
            name: `rupbench perturbed: ${p.perturbation}`,
            value: p.accPerturbed,
            interval: iv(p.accPerturbedCI),
            higherIsBetter: true,
          });
        }
        return { metrics, report };
      }
      case "perplexity": {
        // Any dataset can be scored as text (a toy set's questions and answers, say).
        const text = data.kind === "text" ? data.text : datasetText(data);
        const scorer = handle.scorer;
        if (!scorer)
          throw new RunnerError("perplexity needs token-level scores, which only an in-process model gives");
        const seqLen = spec.seqLen ?? 256;
        const report = await evaluatePerplexity({ scorer, text, seqLen, stride: spec.stride, batchSize: 4 });
        return {
          metrics: [{ name: `${dataName} perplexity`, value: report.ppl, higherIsBetter: false }],
          report,
        };
      }
      case "mmlu": {
        const { items, dir } = expectKind(data, "mmlu", dataName, spec.task);
        const shots = spec.shots ?? 0;
        const ev = await evaluateMmlu({
          model: lm,
          items,
          shots,
          dev: shots > 0 ? await mmluDev(dir, items, shots) : {},
          chatTemplate: spec.chatTemplate ? chatOf(handle, "mmlu") : undefined,
          systemPrompt: spec.systemPrompt,
          resultsPath: join(workDir, "mmlu-results.jsonl"),
        });
        return {
          metrics: [accuracy(`${dataName} accuracy`, ev.report.accuracy, ev.report.ci95)],
          report: ev.report,
        };
      }
      case "squad": {
        const { items } = expectKind(data, "squad", dataName, spec.task);
        // The robustness comparison perturbs questions with RUPBench's typo recipe.
        const perturb = (text: string, index: number) => typos(text, createRng("squad-typos", index));
        const r = await compareSquadRobustness({
          model: lm,
          items,
          maxNewTokens: spec.maxNewTokens ?? 32,
          perturb,
          perturbTarget: "question",
        });
        const { clean, perturbed: pert } = r;
        return {
          metrics: [
            {
              name: `${dataName} EM`,
              value: clean.exactMatch,
              interval: iv(clean.exactMatchCi95),
              higherIsBetter: true,
            },
            { name: `${dataName} F1`, value: clean.f1, higherIsBetter: true },
            { name: `${dataName} F1 (typos)`, value: pert.f1, higherIsBetter: true },
          ],
          report: r,
        };
      }
    }
  };
  // The models package runs each forward pass under noGrad itself (noGrad cannot span awaits).
  return run();
}

/**
 * GSM8K's prompt from `prompt` and `shots`: shots > 0 (or prompt "cot") is lm-eval's gsm8k_cot
 * with its first `shots` of the eight exemplars (default all eight); otherwise zero-shot.
 */
function gsm8kFormat(
  spec: Extract<EvalSpec, { task: "gsm8k" }>,
): { kind: "zero-shot" } | { kind: "cot"; shots?: number } {
  const shots = spec.shots;
  if (spec.prompt === "zero-shot" && shots)
    throw new RunnerError(
      `evaluation gsm8k: shots ${shots} needs prompt "cot" (the exemplars are gsm8k_cot's chain-of-thought ones), not "zero-shot"`,
    );
  const kind = spec.prompt ?? (shots ? "cot" : "zero-shot");
  return kind === "cot" ? { kind, shots } : { kind };
}

function chatOf(handle: ModelHandle, task: string): NonNullable<ModelHandle["chat"]> {
  if (!handle.chat)
    throw new RunnerError(
      `evaluation ${task}: chatTemplate asks for the model's chat template, and its tokenizer_config.json has none`,
    );
  return handle.chat;
}

/**
 * The dev split's exemplars per subject for k-shot MMLU: <subject>_dev.csv files in a dev/
 * folder beside the test one (the hendrycks layout: data/test, data/dev), inside the test
 * folder's dev/, or beside the test files. Missing files or too few rows are an error: a k-shot
 * request never quietly becomes 0-shot.
 */
async function mmluDev(dir: string, items: MmluItem[], shots: number): Promise<Record<string, MmluItem[]>> {
  const subjects = [...new Set(items.map((i) => i.subject))];
  const candidates = [join(dir, "..", "dev"), join(dir, "dev"), dir];
  const devDir = candidates.find((d) => subjects.every((s) => existsSync(join(d, `${s}_dev.csv`))));
  if (!devDir)
    throw new RunnerError(
      `evaluation mmlu: ${shots}-shot needs the dev split (<subject>_dev.csv for ${subjects.length} subject(s), e.g. ${subjects[0]}_dev.csv) in ${candidates.join(" or ")}; none has them all`,
    );
  const dev = bySubject(await loadMmluSplit(devDir, "dev", { subjects }));
  for (const s of subjects) {
    const n = dev[s]?.length ?? 0;
    if (n < shots)
      throw new RunnerError(
        `evaluation mmlu: ${join(devDir, `${s}_dev.csv`)} has ${n} rows, fewer than shots ${shots}`,
      );
  }
  return dev;
}
