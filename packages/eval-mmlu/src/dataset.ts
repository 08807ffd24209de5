import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseCsv } from "./csv.js";
import { MmluDataError } from "./errors.js";

export const LETTERS = ["A", "B", "C", "D"] as const;

export interface MmluItem {
  /** Stable across runs: `<subject>-<0-based row>`, e.g. "anatomy-0". */
  id: string;
  subject: string;
  question: string;
  choices: [string, string, string, string];
  /** Index of the right choice, 0..3 (A..D). */
  answer: number;
}

/** Parses one hendrycks CSV (question, A, B, C, D, answer letter; no header). */
export function parseMmluCsv(text: string, file: string, subject: string): MmluItem[] {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (err) {
    throw new MmluDataError(file, undefined, `malformed CSV (${(err as Error).message})`);
  }
  return records.map(({ fields, line }, row) => {
    if (fields.length !== 6) {
      throw new MmluDataError(
        file,
        line,
        `expected 6 fields (question, A, B, C, D, answer), got ${fields.length}`,
      );
    }
    const answer = LETTERS.indexOf(fields[5].trim() as (typeof LETTERS)[number]);
    if (answer < 0)
      throw new MmluDataError(file, line, `answer must be A, B, C or D, got ${JSON.stringify(fields[5])}`);
    const [question, a, b, c, d] = fields;
    return { id: `${subject}-${row}`, subject, question, choices: [a, b, c, d], answer };
  });
}

export interface LoadOptions {
  /** Only these subjects (file stems without the split suffix); default: every file in `dir`. */
  subjects?: readonly string[];
  /** At most this many questions per subject, from the top of each file. */
  limit?: number;
}

/**
 * Loads `<dir>/<subject>_<split>.csv` for every subject found (or asked for), sorted by subject.
 * `split` is "test", "dev" or "val", as in the hendrycks release.
 */
export async function loadMmluSplit(
  dir: string,
  split: "test" | "dev" | "val",
  options: LoadOptions = {},
): Promise<MmluItem[]> {
  const suffix = `_${split}.csv`;
  const subjects =
    options.subjects ??
    (await readdir(dir))
      .filter((f) => f.endsWith(suffix))
      .map((f) => basename(f, suffix))
      .sort();
  const items: MmluItem[] = [];
  for (const subject of subjects) {
    const file = join(dir, `${subject}${suffix}`);
    if (!existsSync(file))
      throw new MmluDataError(file, undefined, `no ${split} file for subject "${subject}"`);
    const rows = parseMmluCsv(await readFile(file, "utf8"), file, subject);
    items.push(...rows.slice(0, options.limit ?? rows.length));
  }
  return items;
}

/** Groups items by subject (e.g. a dev split into few-shot exemplars). */
export function bySubject(items: readonly MmluItem[]): Record<string, MmluItem[]> {
  const out: Record<string, MmluItem[]> = {};
  for (const item of items) (out[item.subject] ??= []).push(item);
  return out;
}
