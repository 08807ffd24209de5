import { appendFile, mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { MmluDataError } from "./errors.js";
import type { ItemResult } from "./score.js";

// Per-question results, one JSON object a line, append-only: a restarted run reads the ids already
// present and scores only the rest. Each batch is one append, so a crash loses at most the line
// being written.

/**
 * Reads the results so far (none if the file is absent). A last line without its newline is the
 * trace of an interrupted append and is cut off; any other bad line names the file and line.
 */
export async function readResults(file: string): Promise<ItemResult[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === "ENOENT") return [];
    throw err;
  }
  const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
  if (complete.length < text.length) {
    const handle = await open(file, "r+");
    await handle.truncate(Buffer.byteLength(complete)).finally(() => handle.close());
  }
  const out: ItemResult[] = [];
  const lines = complete.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    let row: Partial<ItemResult>;
    try {
      row = JSON.parse(lines[i]);
    } catch (err) {
      throw new MmluDataError(file, i + 1, `malformed result line (${(err as Error).message})`);
    }
    if (typeof row.id !== "string" || !Array.isArray(row.logprobs) || row.logprobs.length !== 4) {
      throw new MmluDataError(file, i + 1, 'expected a result with string "id" and four "logprobs"');
    }
    out.push(row as ItemResult);
  }
  return out;
}

export async function appendResults(file: string, results: ItemResult[]): Promise<void> {
  if (results.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, results.map((r) => `${JSON.stringify(r)}\n`).join(""));
}
