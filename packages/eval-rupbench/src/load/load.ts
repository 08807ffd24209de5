import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { RupbenchDataError } from "../errors.js";
import { type LoadResult, type ParseOptions, parseRupbenchCsv } from "./parse-table.js";
import { FILE_SCHEMAS, RELEASED_FILES } from "./schemas.js";
import { unzipCsvFiles } from "./zip.js";

export type { LoadResult, ParseOptions };

/** Reads one released file (a `*_RUP.csv`, or `TRAM_RUP.zip` with the CSVs inside). */
export async function loadRupbenchFile(path: string, options: ParseOptions = {}): Promise<LoadResult> {
  const name = basename(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new RupbenchDataError(path, `cannot read (${(e as Error).message})`);
  }
  if (name.toLowerCase().endsWith(".zip")) return parseRupbenchZip(bytes, name, options);
  const schema = FILE_SCHEMAS[name];
  if (!schema) throw new RupbenchDataError(path, "not a known RUPBench file name");
  return parseRupbenchCsv(new TextDecoder("utf-8").decode(bytes), name, schema, options);
}

/** Reads every CSV inside a released zip; file names in issues are `zip/inner.csv`. */
export function parseRupbenchZip(bytes: Uint8Array, zipName: string, options: ParseOptions = {}): LoadResult {
  const out: LoadResult = { items: [], issues: [] };
  const files = unzipCsvFiles(bytes);
  if (files.size === 0) throw new RupbenchDataError(zipName, "no CSV files in the archive");
  for (const [inner, text] of files) {
    const schema = FILE_SCHEMAS[inner];
    if (!schema) throw new RupbenchDataError(`${zipName}/${inner}`, "not a known RUPBench file name");
    const r = parseRupbenchCsv(text, `${zipName}/${inner}`, schema, options);
    out.items.push(...r.items);
    out.issues.push(...r.issues);
  }
  return out;
}

/** Reads every released file in `dir` (the ten named in SCHEMAS.md), keyed by file name. */
export async function loadRupbenchDir(
  dir: string,
  options: ParseOptions = {},
): Promise<Map<string, LoadResult>> {
  const out = new Map<string, LoadResult>();
  for (const file of RELEASED_FILES) out.set(file, await loadRupbenchFile(join(dir, file), options));
  return out;
}
