import { resolve } from "node:path";
import { numberOption, type ParsedArgs, requiredOption, stringOption, UsageError } from "../cli/args.js";
import { checkReferences } from "../experiment/load.js";
import { runExperiment } from "../experiment/run.js";
import type { DataSpec, EvalSpec, Experiment, VariantSpec } from "../experiment/schema.js";
import { experimentSchema } from "../experiment/schema.js";
import { validate } from "../experiment/validate.js";
import { comparisonTable } from "../report/markdown.js";

/**
 * The one-step sub-commands (quantize, sparsify, distill, eval, sensitivity) are experiments of
 * one variant, built from flags and run by the same machinery as `shrinkray run`: the same
 * validation, checkpoints, resume and report.
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

function evalFromFlags(args: ParsedArgs, data: Record<string, DataSpec>): EvalSpec[] {
  const task = stringOption(args, "task");
  const path = stringOption(args, "eval-data");
  if (!task) return [];
  if (!path) throw new UsageError("--task needs --eval-data PATH");
  data.eval = {
    ...dataFromFlag(path, stringOption(args, "eval-kind")),
    ...(numberOption(args, "limit") ? { limit: numberOption(args, "limit") } : {}),
  } as DataSpec;
  return [{ task, data: "eval" } as EvalSpec];
}

export async function adhocCommand(command: string, args: ParsedArgs): Promise<void> {
  const model = resolve(requiredOption(args, "model"));
  const data: Record<string, DataSpec> = {};
  const calib = stringOption(args, "calibration") ?? stringOption(args, "data");
  if (calib) data.calibration = dataFromFlag(resolve(calib), stringOption(args, "data-kind"));
  const variant: VariantSpec = { name: command };
  if (command === "quantize") {
    const method = stringOption(args, "method", "gptq") as "gptq" | "rtn" | "int8";
    variant.quantize =
      method === "int8"
        ? { method }
        : ({
            method,
            bits: numberOption(args, "bits", 4) as 4,
            groupSize: numberOption(args, "group-size", 128),
            ...(method === "gptq"
              ? { calibration: "calibration", actOrder: args.options.get("act-order") === true }
              : {}),
          } as never);
  } else if (command === "sparsify") {
    variant.sparsify = {
      groups: numberOption(args, "groups", 4)!,
      rank: numberOption(args, "rank", 16)!,
      ...(calib ? { calibration: "calibration", fitEpochs: numberOption(args, "fit-epochs", 10) } : {}),
    };
  } else if (command === "distill") {
    if (!calib) throw new UsageError("distill needs --data PATH");
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
  } else if (command !== "eval" && command !== "sensitivity")
    throw new UsageError(`unknown command "${command}"`);
  const evaluate = evalFromFlags(args, data);
  const experiment: Experiment = {
    name: `${command}-${new Date().toISOString().replace(/[:.]/g, "-")}`,
    model,
    data,
    variants:
      command === "eval" || command === "sensitivity"
        ? [{ name: "model" }]
        : [{ name: "baseline" }, { ...variant, from: undefined }],
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
  if (command === "sensitivity" && evaluate.length === 0)
    throw new UsageError("sensitivity needs --task and --eval-data");
  validate(experiment, experimentSchema, "<command line>");
  checkReferences(experiment, "<command line>");
  const out = resolve(stringOption(args, "out") ?? `runs/${experiment.name}`);
  const results = await runExperiment(experiment, process.cwd(), {
    outDir: out,
    restart: args.options.get("restart") === true,
  });
  process.stdout.write(`${comparisonTable(results.variants)}\n`);
}
