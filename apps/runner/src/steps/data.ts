import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { extractGold } from "@shrinkray/answer-extract";
import { type Gsm8kItem, loadGsm8k } from "@shrinkray/eval-gsm8k";
import { loadMmluSplit, type MmluItem } from "@shrinkray/eval-mmlu";
import { loadC4Text, loadWikitext } from "@shrinkray/eval-perplexity";
import { loadRupbenchDir, perturbQuestions, type RupItem } from "@shrinkray/eval-rupbench";
import { loadSquad, type SquadItem } from "@shrinkray/eval-squad";
import { RunnerError } from "../cli/errors.js";
import { resolvePath } from "../experiment/load.js";
import type { DataSpec } from "../experiment/schema.js";
import { choiceItems, TOY_SEED, wordProblems } from "../toy/index.js";
import { RED_HERRINGS } from "../toy/tasks/world.js";

export interface InstructionRow {
  instruction: string;
  input?: string;
  output: string;
}

export type Dataset =
  | { kind: "gsm8k"; items: Gsm8kItem[] }
  | { kind: "rupbench"; items: RupItem[] }
  | { kind: "text"; text: string }
  | { kind: "mmlu"; items: MmluItem[] /** The folder of the test CSVs. */; dir: string }
  | { kind: "squad"; items: SquadItem[] }
  | { kind: "instructions"; rows: InstructionRow[] };

const limit = <T>(xs: T[], n?: number) => (n === undefined ? xs : xs.slice(0, n));

function need(path: string, what: string): string {
  if (!existsSync(path)) throw new RunnerError(`${path}: no such ${what}`);
  return path;
}

/** Loads one `data` entry of an experiment into memory, in the shape its evaluations take. */
export async function loadDataset(name: string, spec: DataSpec, baseDir: string): Promise<Dataset> {
  switch (spec.kind) {
    case "gsm8k":
      return {
        kind: "gsm8k",
        items: limit(await loadGsm8k(need(resolvePath(baseDir, spec.path), "GSM8K file")), spec.limit),
      };
    case "toy-gsm8k":
      return {
        kind: "gsm8k",
        items: wordProblems({
          split: spec.split ?? "heldout",
          seed: spec.seed ?? TOY_SEED,
          count: spec.count,
        }),
      };
    case "rupbench": {
      const dir = need(resolvePath(baseDir, spec.path), "RUPBench directory");
      const loaded = await loadRupbenchDir(dir);
      const wanted = spec.files
        ? [...loaded].filter(([file]) => spec.files!.some((f) => file.includes(f)))
        : [...loaded];
      const items = wanted.flatMap(([, r]) =>
        spec.limit === undefined ? r.items : r.items.slice(0, spec.limit),
      );
      return { kind: "rupbench", items };
    }
    case "toy-rupbench":
      return { kind: "rupbench", items: toyRupItems(spec) };
    case "text": {
      const path = need(resolvePath(baseDir, spec.path), "text file");
      // WikiText files are split into rows and joined with "\n\n" (the GPTQ protocol).
      const text = /wikitext/i.test(path) ? await loadWikitext(path) : readFileSync(path, "utf8");
      return { kind: "text", text: spec.maxChars ? text.slice(0, spec.maxChars) : text };
    }
    case "c4":
      return { kind: "text", text: await loadC4Text(need(resolvePath(baseDir, spec.path), "C4 JSONL file")) };
    case "mmlu": {
      const dir = need(resolvePath(baseDir, spec.path), "MMLU directory");
      const items = await loadMmluSplit(dir, "test", { subjects: spec.subjects, limit: spec.limit });
      return { kind: "mmlu", items, dir };
    }
    case "squad":
      return {
        kind: "squad",
        items: limit(await loadSquad(need(resolvePath(baseDir, spec.path), "SQuAD file")), spec.limit),
      };
    case "instructions":
      return {
        kind: "instructions",
        rows: limit(
          readInstructions(need(resolvePath(baseDir, spec.path), "instruction file"), name),
          spec.limit,
        ),
      };
  }
}

/** Alpaca/Platypus rows (instruction, input, output) from JSONL; a bad row names its line. */
export function readInstructions(path: string, name: string): InstructionRow[] {
  const files =
    existsSync(path) && !path.endsWith(".jsonl") && !path.endsWith(".json")
      ? readdirSync(path).map((f) => join(path, f))
      : [path];
  const rows: InstructionRow[] = [];
  for (const f of files) {
    readFileSync(f, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (!line.trim()) return;
        let row: unknown;
        try {
          row = JSON.parse(line);
        } catch {
          throw new RunnerError(`${f}:${i + 1}: not valid JSON (dataset "${name}")`);
        }
        const r = row as Record<string, unknown>;
        if (typeof r.instruction !== "string" || typeof r.output !== "string") {
          throw new RunnerError(
            `${f}:${i + 1}: expected string fields "instruction" and "output" (dataset "${name}")`,
          );
        }
        rows.push({
          instruction: r.instruction,
          input: typeof r.input === "string" ? r.input : undefined,
          output: r.output,
        });
      });
  }
  return rows;
}

export function expectKind<K extends Dataset["kind"]>(
  d: Dataset,
  kind: K,
  name: string,
  task: string,
): Extract<Dataset, { kind: K }> {
  if (d.kind !== kind)
    throw new RunnerError(`evaluation "${task}" needs ${kind} data, but dataset "${name}" holds ${d.kind}`);
  return d as Extract<Dataset, { kind: K }>;
}

/** Toy items in RUPBench's shape: the multiple-choice set, or the word problems perturbed. */
function toyRupItems(spec: Extract<DataSpec, { kind: "toy-rupbench" }>): RupItem[] {
  const draw = { split: spec.split ?? "heldout", seed: spec.seed ?? TOY_SEED, count: spec.count } as const;
  if (spec.questions !== "word-problems") return choiceItems(draw);
  const questions = wordProblems(draw).map((p) => ({
    id: p.id,
    dataset: "toy-gsm8k",
    category: "arithmetic",
    text: p.question,
    gold: String(extractGold(p.answer)),
    answerKind: "number" as const,
  }));
  return perturbQuestions(questions, { seed: draw.seed, redHerrings: RED_HERRINGS });
}
