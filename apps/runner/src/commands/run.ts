import { type ParsedArgs, stringOption, UsageError } from "../cli/args.js";
import { loadExperiment } from "../experiment/load.js";
import { runExperiment } from "../experiment/run.js";
import { comparisonTable } from "../report/markdown.js";

export async function runCommand(args: ParsedArgs): Promise<void> {
  const file = args.positionals[0];
  if (!file) throw new UsageError("run: give an experiment file (shrinkray run experiments/<name>.json)");
  const { experiment, baseDir } = loadExperiment(file);
  const results = await runExperiment(experiment, baseDir, {
    outDir: stringOption(args, "out"),
    restart: args.options.get("restart") === true,
  });
  process.stdout.write(`${comparisonTable(results.variants)}\n`);
}

/** `--dry-run`: parse the file and check every reference, without running anything. */
export function checkCommand(args: ParsedArgs): void {
  for (const file of args.positionals) {
    loadExperiment(file);
    process.stdout.write(`${file}: ok\n`);
  }
}
