import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { extractGold } from "@shrinkray/answer-extract";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { Gsm8kDataError } from "./errors.js";

export interface Gsm8kItem {
  /** Stable across runs of the same file: `<file stem>-<0-based row>`, e.g. "test-0". */
  id: string;
  question: string;
  /** The reference rationale ending in "#### N". */
  answer: string;
  /** N, the number the model must produce. */
  gold: number;
}

function toItem(row: unknown, file: string, rowNumber: number, id: string): Gsm8kItem {
  const r = row as { question?: unknown; answer?: unknown } | null;
  if (typeof r?.question !== "string" || typeof r?.answer !== "string") {
    throw new Gsm8kDataError(
      file,
      rowNumber,
      'expected an object with string fields "question" and "answer"',
    );
  }
  try {
    return { id, question: r.question, answer: r.answer, gold: extractGold(r.answer) };
  } catch (err) {
    throw new Gsm8kDataError(file, rowNumber, (err as Error).message);
  }
}

const stem = (file: string) => basename(file, extname(file));

/** Parses GSM8K JSONL text; `file` names the source in errors. Blank lines are skipped. */
export function parseGsm8kJsonl(text: string, file: string): Gsm8kItem[] {
  const items: Gsm8kItem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(lines[i]);
    } catch (err) {
      throw new Gsm8kDataError(file, i + 1, `malformed JSON (${(err as Error).message})`);
    }
    items.push(toItem(row, file, i + 1, `${stem(file)}-${items.length}`));
  }
  return items;
}

export async function loadGsm8kJsonl(file: string): Promise<Gsm8kItem[]> {
  return parseGsm8kJsonl(await readFile(file, "utf8"), file);
}

/** Reads GSM8K Parquet as the Hugging Face Hub serves it (columns `question`, `answer`). */
export async function loadGsm8kParquet(file: string): Promise<Gsm8kItem[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({
      file: await asyncBufferFromFile(file),
      columns: ["question", "answer"],
    });
  } catch (err) {
    throw new Gsm8kDataError(file, undefined, `cannot read Parquet (${(err as Error).message})`);
  }
  return rows.map((row, i) => toItem(row, file, i + 1, `${stem(file)}-${i}`));
}

/** Loads `.jsonl` or `.parquet` by extension. */
export function loadGsm8k(file: string): Promise<Gsm8kItem[]> {
  const ext = extname(file).toLowerCase();
  if (ext === ".parquet") return loadGsm8kParquet(file);
  if (ext === ".jsonl" || ext === ".json") return loadGsm8kJsonl(file);
  return Promise.reject(new Gsm8kDataError(file, undefined, "expected a .jsonl or .parquet file"));
}
