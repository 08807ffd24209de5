/**
 * Local dataset files to rows: JSONL (one object a line) and Parquet (through hyparquet). A bad
 * line or a missing field is reported with the file and the 1-based row.
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { DatasetRowError } from "./errors.js";
import type { InstructionRow } from "./instruction.js";

export type Row = Record<string, unknown>;

export async function readJsonl(file: string): Promise<Row[]> {
  const text = await readFile(file, "utf8");
  const rows: Row[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DatasetRowError(file, i + 1, undefined, `not valid JSON (${(e as Error).message})`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new DatasetRowError(file, i + 1, undefined, "expected a JSON object");
    }
    rows.push(value as Row);
  });
  return rows;
}

export async function readParquet(file: string, columns?: string[]): Promise<Row[]> {
  try {
    return (await parquetReadObjects({ file: await asyncBufferFromFile(file), columns })) as Row[];
  } catch (e) {
    throw new DatasetRowError(file, undefined, undefined, `cannot read Parquet (${(e as Error).message})`);
  }
}

/** `.jsonl` / `.json` lines or `.parquet`, by extension. */
export function readRows(file: string): Promise<Row[]> {
  const ext = extname(file).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return readJsonl(file);
  if (ext === ".parquet") return readParquet(file);
  return Promise.reject(
    new DatasetRowError(file, undefined, undefined, "expected a .jsonl or .parquet file"),
  );
}

/** Rows with Alpaca/Platypus fields: instruction and output strings, input optional. */
export function toInstructionRows(rows: Row[], file: string): InstructionRow[] {
  return rows.map((r, i) => {
    for (const f of ["instruction", "output"]) {
      if (typeof r[f] !== "string") {
        throw new DatasetRowError(
          file,
          i + 1,
          f,
          `expected a string, got ${JSON.stringify(r[f]) ?? "nothing"}`,
        );
      }
    }
    if (r.input !== undefined && r.input !== null && typeof r.input !== "string") {
      throw new DatasetRowError(file, i + 1, "input", `expected a string, got ${JSON.stringify(r.input)}`);
    }
    return {
      instruction: r.instruction as string,
      input: (r.input as string | null | undefined) ?? undefined,
      output: r.output as string,
    };
  });
}

/** Reads an Alpaca / Platypus file (JSONL or Parquet). */
export async function readInstructionFile(file: string): Promise<InstructionRow[]> {
  return toInstructionRows(await readRows(file), file);
}
