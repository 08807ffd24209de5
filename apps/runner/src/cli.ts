import { parseArgs, UsageError } from "./cli/args.js";
import { RunnerError } from "./cli/errors.js";
import { adhocCommand } from "./commands/adhoc.js";
import { cacheTeacherCommand } from "./commands/cache-teacher.js";
import { evalEndpointCommand } from "./commands/endpoint.js";
import { exportCommand } from "./commands/export.js";
import { demoCommand, pullCommand, reportCommand } from "./commands/misc.js";
import { checkCommand, runCommand } from "./commands/run.js";

const USAGE = `usage: shrinkray <command> [options]

  run <experiment.json> [--out DIR] [--restart]   run an experiment (resumes after the last finished step)
  check <experiment.json>...                      validate experiment files without running them
  demo [--out DIR]                                the embedded default: the toy model through every method
  quantize --model DIR --method gptq|rtn|int8 [--bits 4] [--group-size 128] [--asym] [--act-order] [--calibration PATH [--nsamples 32] [--seq-len 128]] --out DIR
  sparsify --model DIR --groups G --rank R [--calibration PATH] [--fit-epochs N] --out DIR
  distill --model DIR (--teacher DIR | --endpoint URL --teacher-model NAME [--top-k K]) --data PATH [--steps N] --out DIR
      quantize, sparsify and distill write a complete model directory at --out (any of them takes
      --task/--eval-data to measure it; the metrics go into its README.md)
  cache-teacher --model STUDENT_DIR (--teacher DIR | --endpoint URL --teacher-model NAME) --data PATH --top-k 20 --out DIR
  eval --model DIR --task gsm8k|rupbench|perplexity|mmlu|squad --eval-data PATH [--limit N]
      [--shots K] [--chat-template] [--system-prompt TEXT]   (gsm8k: K of gsm8k_cot's 8 exemplars;
      mmlu: K from the dev/ split beside test/; --chat-template renders with the model's template)
  eval --endpoint URL --served-model NAME --task ... --eval-data PATH [--tokenizer DIR]   evaluate a served model
  sensitivity --model DIR --task ... --eval-data PATH [--bits 2] [--granularity layer|module] [--budget 0.1]
  report RUN_DIR... [--out FILE]                  one comparison table over runs
  export --model DIR --format onnx --out OUT [--base DIR] [--overwrite]   ONNX folder for onnxruntime / transformers.js
  pull <hub-id> [--to DIR] [--include "*.json,*.safetensors"] [--endpoint URL] [--revision REV]
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const args = parseArgs(rest, ["restart", "act-order", "asym", "dry-run", "chat-template", "overwrite"]);
    switch (command) {
      case "run":
        if (args.options.get("dry-run") === true) checkCommand(args);
        else await runCommand(args);
        break;
      case "check":
        checkCommand(args);
        break;
      case "demo":
        await demoCommand(args);
        break;
      case "report":
        reportCommand(args);
        break;
      case "pull":
        await pullCommand(args);
        break;
      case "eval":
        if (args.options.has("endpoint")) await evalEndpointCommand(args);
        else await adhocCommand(command, args);
        break;
      case "export":
        await exportCommand(args);
        break;
      case "cache-teacher":
        await cacheTeacherCommand(args);
        break;
      case "quantize":
      case "sparsify":
      case "distill":
      case "sensitivity":
        await adhocCommand(command, args);
        break;
      case undefined:
      case "help":
      case "--help":
        process.stdout.write(USAGE);
        break;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`shrinkray: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (
      e instanceof RunnerError ||
      (e instanceof Error && /Error$/.test(e.name) && e.name !== "Error" && e.name !== "TypeError")
    ) {
      // Errors that name the file, field or tensor: one line is what the user needs.
      process.stderr.write(`shrinkray: ${e.message.split("\n")[0]}\n`);
      return 1;
    }
    throw e;
  }
}
