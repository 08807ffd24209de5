import { readFile } from "node:fs/promises";
import { PerplexityDataError } from "./errors.js";

/** Reads the "text" field of each JSON line; a malformed line names the file and line. */
export function parseTextJsonl(text: string, file: string, limit = Number.POSITIVE_INFINITY): string[] {
  const docs: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length && docs.length < limit; i++) {
    if (lines[i].trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(lines[i]);
    } catch (err) {
      throw new PerplexityDataError(file, i + 1, `malformed JSON (${(err as Error).message})`);
    }
    const value = (row as { text?: unknown } | null)?.text;
    if (typeof value !== "string")
      throw new PerplexityDataError(file, i + 1, 'expected an object with a string "text"');
    docs.push(value);
  }
  return docs;
}

export interface C4Options {
  /** Documents taken from the top of the file; GPTQ's `c4-new` takes the first 1100. */
  documents?: number;
}

/**
 * GPTQ's C4 evaluation text (`get_c4_new`): the first 1100 documents of the validation shard
 * `c4-validation.00000-of-00008.json` joined with " ". Its token stream is then cut to
 * 256 × seqLen tokens — pass `maxWindows: 256` to `evaluatePerplexity`. (GPTQ's older `c4` variant
 * samples 256 random windows with Python's RNG; that is not reproduced.)
 */
export async function loadC4Text(file: string, options: C4Options = {}): Promise<string> {
  const docs = parseTextJsonl(await readFile(file, "utf8"), file, options.documents ?? 1100);
  if (docs.length === 0) throw new PerplexityDataError(file, undefined, "no documents");
  return docs.join(" ");
}
