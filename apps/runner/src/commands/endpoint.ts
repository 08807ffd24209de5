import { resolve } from "node:path";
import { createRemoteLM } from "@shrinkray/openai-lm";
import { numberOption, type ParsedArgs, requiredOption, stringOption } from "../cli/args.js";
import { writeJsonAtomic } from "../cli/atomic.js";
import type { EvalSpec } from "../experiment/schema.js";
import { loadDataset } from "../steps/data.js";
import { runEvaluation } from "../steps/evaluate.js";
import { dataFromFlag } from "./adhoc.js";

/** `shrinkray eval --endpoint URL --served-model NAME`: a model served elsewhere, through openai-lm. */
export async function evalEndpointCommand(args: ParsedArgs): Promise<void> {
  const lm = createRemoteLM({
    endpoint: requiredOption(args, "endpoint"),
    model: requiredOption(args, "served-model"),
  });
  const task = requiredOption(args, "task");
  const path = resolve(requiredOption(args, "eval-data"));
  const spec = {
    ...dataFromFlag(path, stringOption(args, "eval-kind")),
    ...(numberOption(args, "limit") ? { limit: numberOption(args, "limit") } : {}),
  };
  const data = await loadDataset("eval", spec as never, process.cwd());
  const out = resolve(stringOption(args, "out") ?? "runs/eval-endpoint");
  const outcome = await runEvaluation({ task, data: "eval" } as EvalSpec, { lm }, data, "eval", out);
  writeJsonAtomic(resolve(out, "results.json"), outcome);
  for (const m of outcome.metrics) process.stdout.write(`${m.name}: ${m.value}\n`);
}
