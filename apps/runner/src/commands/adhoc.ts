import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { numberOption, type ParsedArgs, requiredOption, stringOption, UsageError } from "../cli/args.js";
import { RunnerError } from "../cli/errors.js";
import { checkReferences } from "../experiment/load.js";
import { runExperiment } from "../experiment/run.js";
import type { DataSpec, EvalSpec, Experiment, VariantSpec } from "../experiment/schema.js";
import { experimentSchema } from "../experiment/schema.js";
import { validate } from "../experiment/validate.js";
import { comparisonTable } from "../report/markdown.js";
import type { MetricValue } from "../report/results.js";
import { type Dataset, loadDataset } from "../steps/data.js";
import { handleFor, runEvaluation } from "../steps/evaluate.js";
import { writeModelCard } from "../steps/model-store.js";
import { buildVariant } from "../steps/variants.js";

/**
 * The one-step sub-commands. quantize, sparsify and distill produce a model: they write a
 * complete model directory at --out (config with quantization_config, weights, tokenizer,
 * generation config, model card with the metrics of any --task) and nothing else. eval and
 * sensitivity are experiments of one variant (the model as given, never copied), run by the same
 * machinery as `shrinkray run`, with its run folder and report.
 */
export function dataFromFlag(path: string, kind?: string): DataSpec {
  const k =
    kind ??
    (/gsm8k/i.test(path)
      ? "gsm8k"
      : /rup/i.test(path)
        ? "rupbench"
        : /mmlu/i.test(path)
          ? "mmlu"
          : /squad/i.test(path)
            ? "squad"
            : "text");
  return { kind: k, path } as DataSpec;
}

/** The evaluation the flags ask for (--task, --eval-data, --shots, --chat-template, --system-prompt). */
export function evalFromFlags(args: ParsedArgs, data: Record<string, DataSpec>): EvalSpec[] {
  const task = stringOption(args, "task");
  const path = stringOption(args, "eval-data");
  if (!task) return [];
  if (!path) throw new UsageError("--task needs --eval-data PATH");
  data.eval = {
    ...dataFromFlag(resolve(path), stringOption(args, "eval-kind")),
    ...(numberOption(args, "limit") ? { limit: numberOption(args, "limit") } : {}),
  } as DataSpec;
  const spec: Record<string, unknown> = { task, data: "eval" };
  const shots = numberOption(args, "shots");
  const chat = args.options.get("chat-template") === true;
  const system = stringOption(args, "system-prompt");
  if ((shots !== undefined || chat || system !== undefined) && task !== "gsm8k" && task !== "mmlu")
    throw new UsageError("--shots, --chat-template and --system-prompt apply to --task gsm8k and mmlu");
  if (shots !== undefined) spec.shots = shots;
  if (chat) spec.chatTemplate = true;
  if (system !== undefined) spec.systemPrompt = system;
  return [spec as EvalSpec];
}

/** The variant a model-producing command builds, from its flags. */
function variantFromFlags(command: string, args: ParsedArgs, calibration: boolean): VariantSpec {
  const variant: VariantSpec = { name: command };
  if (command === "quantize") {
    const method = stringOption(args, "method", "gptq") as "gptq" | "rtn" | "int8";
    if (method === "gptq" && !calibration)
      throw new UsageError("quantize --method gptq needs --calibration PATH");
    variant.quantize =
      method === "int8"
        ? { method }
        : ({
            method,
            bits: numberOption(args, "bits", 4) as 4,
            groupSize: numberOption(args, "group-size", 128),
            ...(args.options.get("asym") === true ? { sym: false } : {}),
            ...(method === "gptq"
              ? {
                  calibration: "calibration",
                  actOrder: args.options.get("act-order") === true,
                  ...(numberOption(args, "nsamples") ? { nsamples: numberOption(args, "nsamples") } : {}),
                  ...(numberOption(args, "seq-len") ? { seqLen: numberOption(args, "seq-len") } : {}),
                }
              : {}),
          } as never);
  } else if (command === "sparsify") {
    variant.sparsify = {
      groups: numberOption(args, "groups", 4)!,
      rank: numberOption(args, "rank", 16)!,
      ...(calibration ? { calibration: "calibration", fitEpochs: numberOption(args, "fit-epochs", 10) } : {}),
    };
  } else if (command === "distill") {
    if (!calibration) throw new UsageError("distill needs --data PATH");
    const teacher = stringOption(args, "teacher");
    const endpoint = stringOption(args, "endpoint");
    variant.distill = {
      data: "calibration",
      steps: numberOption(args, "steps", 100)!,
      loss: stringOption(args, "loss", "forward_kl"),
      temperature: numberOption(args, "temperature"),
      teacher: endpoint
        ? {
            kind: "served",
            endpoint,
            model: requiredOption(args, "teacher-model"),
            topK: numberOption(args, "top-k", 20)!,
          }
        : teacher
          ? { kind: "model", path: resolve(teacher) }
          : undefined,
    };
    if (!variant.distill.teacher) throw new UsageError("distill needs --teacher DIR or --endpoint URL");
  } else throw new UsageError(`unknown command "${command}"`);
  return variant;
}

export async function adhocCommand(command: string, args: ParsedArgs): Promise<void> {
  const model = resolve(requiredOption(args, "model"));
  const data: Record<string, DataSpec> = {};
  const calib = stringOption(args, "calibration") ?? stringOption(args, "data");
  if (calib) data.calibration = dataFromFlag(resolve(calib), stringOption(args, "data-kind"));
  const evaluate = evalFromFlags(args, data);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  if (command === "eval" || command === "sensitivity") {
    if (command === "sensitivity" && evaluate.length === 0)
      throw new UsageError("sensitivity needs --task and --eval-data");
    const experiment: Experiment = {
      name: `${command}-${stamp}`,
      model,
      data,
      variants: [{ name: "model" }],
      evaluate,
      ...(command === "sensitivity"
        ? {
            sensitivity: {
              eval: 0,
              bits: (numberOption(args, "bits", 2) ?? 2) as 2,
              granularity: stringOption(args, "granularity", "module") as "module",
              budget: numberOption(args, "budget", 0.1),
            },
          }
        : {}),
    };
    validate(experiment, experimentSchema, "<command line>");
    checkReferences(experiment, "<command line>");
    const out = resolve(stringOption(args, "out") ?? `runs/${experiment.name}`);
    const results = await runExperiment(experiment, process.cwd(), {
      outDir: out,
      restart: args.options.get("restart") === true,
    });
    process.stdout.write(`${comparisonTable(results.variants)}\n`);
    return;
  }
  const variant = variantFromFlags(command, args, calib !== undefined);
  const experiment: Experiment = {
    name: command,
    model,
    seed: numberOption(args, "seed", 0),
    data,
    variants: [variant],
    evaluate,
  };
  validate(experiment, experimentSchema, "<command line>");
  checkReferences(experiment, "<command line>");
  const out = resolve(stringOption(args, "out") ?? `${basename(model)}-${command}`);
  await produceModel(experiment, out, (l) => process.stderr.write(`${l}\n`));
}

/**
 * Builds the experiment's single variant from its model, evaluates it on its evaluations, and
 * writes it as a complete model directory at `out` (replaced whole; the card gets the metrics).
 * Distillation checkpoints live in a hidden sibling of `out` while the command runs.
 */
export async function produceModel(
  x: Experiment,
  out: string,
  log: (line: string) => void,
): Promise<{ out: string; metrics: MetricValue[] }> {
  const modelDir = resolve(x.model);
  if (!existsSync(join(modelDir, "config.json")))
    throw new RunnerError(
      `${modelDir}: not a model directory (expected a Hugging Face folder with config.json)`,
    );
  // A directory the command reads (the model, a distillation teacher) is never its output.
  const teacher = x.variants[0].distill?.teacher;
  const inputs = [modelDir, ...(teacher?.kind === "model" && teacher.path ? [resolve(teacher.path)] : [])];
  if (inputs.includes(resolve(out)))
    throw new RunnerError(
      `${out}: --out is a model directory this command reads; write the result somewhere else`,
    );
  // Checked before any work: the directory is replaced whole only when it is a model directory.
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new RunnerError(`${out}: exists and is not a directory; not replacing it`);
  if (existsSync(out) && readdirSync(out).length && !existsSync(join(out, "config.json")))
    throw new RunnerError(`${out}: exists, is not empty and is not a model directory; not replacing it`);
  const workDir = join(dirname(out), `.${basename(out)}.work`);
  mkdirSync(workDir, { recursive: true });
  const datasets = new Map<string, Dataset>();
  const dataOf = async (name: string) => {
    let d = datasets.get(name);
    if (!d) {
      d = await loadDataset(name, x.data[name], process.cwd());
      datasets.set(name, d);
    }
    return d;
  };
  const v = x.variants[0];
  let built: Awaited<ReturnType<typeof buildVariant>>;
  const metrics: MetricValue[] = [];
  try {
    built = await buildVariant(v, {
      experiment: x,
      baseDir: process.cwd(),
      modelDir,
      variantDir: out,
      workDir,
      parent: null,
      parentDir: null,
      title: basename(out),
      getModel: () => Promise.reject(new RunnerError("a one-step command has no other variants")),
      data: dataOf,
      log,
    });
    if (built.info.stored.dir !== out)
      throw new RunnerError(`${x.variants[0].name}: nothing to do (no method given), so nothing was written`);
    log(`wrote ${out} (${built.info.method})`);
    for (const [i, e] of x.evaluate.entries()) {
      const evalDir = join(workDir, "evals", `${i}-${e.task}`);
      mkdirSync(evalDir, { recursive: true });
      const r = await runEvaluation(e, handleFor(built.model), await dataOf(e.data), e.data, evalDir);
      metrics.push(...r.metrics);
    }
    if (metrics.length && built.info.card) await writeModelCard(out, { ...built.info.card, metrics });
  } catch (e) {
    // Distillation checkpoints stay for a rerun to resume from; anything else was scratch.
    if (!v.distill) rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
  rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(
    `${comparisonTable([
      {
        name: basename(out),
        method: built.info.method,
        bitsPerWeight: built.info.bitsPerWeight,
        parameters: built.info.parameters,
        sizeOnDiskBytes: built.info.sizeOnDiskBytes,
        metrics,
      },
    ])}\n`,
  );
  return { out, metrics };
}
