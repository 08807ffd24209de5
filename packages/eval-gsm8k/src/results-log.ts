import { appendFile, mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Gsm8kDataError } from "./errors.js";
import type { ItemResult } from "./score.js";

// Per-item results, one JSON object a line, append-only: a restarted run reads the ids already
// present and generates only the rest. Each batch is one append, so a crash loses at most the
// line being written.

function isErrnoCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException)?.code === code;
}

/**
 * Reads the results so far (none if the file is absent). A last line without its newline is the
 * trace of an interrupted append: it is cut off so the next append starts on a clean line. Any
 * other malformed line is an error naming the file and line.
 */
export async function readResults(file: string): Promise<ItemResult[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return [];
    throw err;
  }
  const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
  if (complete.length < text.length) await truncateTo(file, Buffer.byteLength(complete));
  const out: ItemResult[] = [];
  const lines = complete.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    let row: Partial<ItemResult>;
    try {
      row = JSON.parse(lines[i]);
    } catch (err) {
      throw new Gsm8kDataError(file, i + 1, `malformed result line (${(err as Error).message})`);
    }
    if (typeof row.id !== "string" || typeof row.output !== "string" || typeof row.goldAnswer !== "string") {
      throw new Gsm8kDataError(file, i + 1, 'expected a result with string "id", "output" and "goldAnswer"');
    }
    out.push(row as ItemResult);
  }
  return out;
}

async function truncateTo(file: string, bytes: number): Promise<void> {
  const handle = await open(file, "r+");
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

export async function appendResults(file: string, results: ItemResult[]): Promise<void> {
  if (results.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, results.map((r) => `${JSON.stringify(r)}\n`).join(""));
}
