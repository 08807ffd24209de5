import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParsedArgs, stringOption, UsageError } from "../cli/args.js";
import { writeFileAtomic } from "../cli/atomic.js";
import { RunnerError } from "../cli/errors.js";
import { loadExperiment } from "../experiment/load.js";
import { runExperiment } from "../experiment/run.js";
import { pull } from "../pull/hub.js";
import { comparisonTable } from "../report/markdown.js";
import { compareRuns } from "../report/write.js";

export function reportCommand(args: ParsedArgs): void {
  if (args.positionals.length === 0) throw new UsageError("report: give one or more run directories");
  const table = compareRuns(args.positionals.map((d) => resolve(d)));
  const out = stringOption(args, "out");
  if (out) writeFileAtomic(resolve(out), `${table}\n`);
  process.stdout.write(`${table}\n`);
}

export async function pullCommand(args: ParsedArgs): Promise<void> {
  const id = args.positionals[0];
  if (!id) throw new UsageError("pull: give a Hub id, e.g. shrinkray pull Qwen/Qwen2.5-0.5B-Instruct");
  const to = resolve(stringOption(args, "to") ?? join("models", id.replace("/", "--")));
  const include = stringOption(args, "include")?.split(",");
  await pull(id, to, {
    endpoint: stringOption(args, "endpoint"),
    revision: stringOption(args, "revision"),
    repoType: stringOption(args, "repo-type") === "dataset" ? "dataset" : "model",
    include,
    onFile: (p, bytes, skipped) =>
      process.stderr.write(`${skipped ? "have" : "got "} ${p} (${bytes} bytes)\n`),
  });
  process.stdout.write(`${to}\n`);
}

/** The embedded default: experiments/demo.json on the bundled toy model. */
export async function demoCommand(args: ParsedArgs): Promise<void> {
  const file = fileURLToPath(new URL("../../experiments/demo.json", import.meta.url));
  const alt = fileURLToPath(new URL("../experiments/demo.json", import.meta.url));
  const path = existsSync(file) ? file : alt;
  if (!existsSync(path)) throw new RunnerError(`demo: ${path} is missing from the installation`);
  const { experiment, baseDir } = loadExperiment(path);
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), stringOption(args, "out") ?? "out/demo-run");
  const results = await runExperiment(experiment, baseDir, {
    outDir: out,
    restart: args.options.get("restart") === true,
  });
  process.stdout.write(`\n${comparisonTable(results.variants)}\n\nreport: ${join(out, "report.md")}\n`);
}
