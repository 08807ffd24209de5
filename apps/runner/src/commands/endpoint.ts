import { resolve } from "node:path";
import { Tokenizer } from "@shrinkray/models";
import { createRemoteLM } from "@shrinkray/openai-lm";
import { numberOption, type ParsedArgs, requiredOption, stringOption } from "../cli/args.js";
import { writeJsonAtomic } from "../cli/atomic.js";
import { RunnerError } from "../cli/errors.js";
import type { EvalSpec } from "../experiment/schema.js";
import { loadDataset } from "../steps/data.js";
import { runEvaluation } from "../steps/evaluate.js";
import { dataFromFlag } from "./adhoc.js";

/**
 * `shrinkray eval --endpoint URL --served-model NAME [--tokenizer DIR]`: a model served elsewhere,
 * through openai-lm. With the served model's tokenizer, multiple-choice scoring sends token ids
 * and counts the context in tokens instead of trusting the server's character offsets.
 */
export async function evalEndpointCommand(args: ParsedArgs): Promise<void> {
  const tokenizerDir = stringOption(args, "tokenizer");
  let tokenizer: Tokenizer | undefined;
  if (tokenizerDir !== undefined) {
    tokenizer = (await Tokenizer.fromDir(resolve(tokenizerDir))) ?? undefined;
    if (!tokenizer) throw new RunnerError(`eval: --tokenizer ${tokenizerDir} has no tokenizer.json`);
  }
  const lm = createRemoteLM(
    { endpoint: requiredOption(args, "endpoint"), model: requiredOption(args, "served-model") },
    { tokenizer },
  );
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
