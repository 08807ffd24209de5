import { parseCsv } from "../csv.js";
import { FieldError, type LoadIssue, RupbenchDataError } from "../errors.js";
import type { RupItem } from "../item.js";
import { CSV_SUFFIX, PERTURBATIONS, type Perturbation } from "../perturbation-kinds.js";
import { detectDefects } from "./defects.js";
import type { Row } from "./fields.js";
import type { FileSchema } from "./schemas.js";

export interface LoadResult {
  items: RupItem[];
  /** Rows that could not be read; they are reported here, never silently dropped. */
  issues: LoadIssue[];
}

export interface ParseOptions {
  /** Throw on the first malformed row instead of collecting it in `issues`. */
  strict?: boolean;
}

/** Parses one released CSV's text into items, using the file's schema. */
export function parseRupbenchCsv(
  text: string,
  file: string,
  schema: FileSchema,
  options: ParseOptions = {},
): LoadResult {
  const records = parseCsv(text);
  if (records.length === 0) throw new RupbenchDataError(file, "empty file (no header)");
  const header = records[0].fields.map((h) => h.trim());
  const index = new Map(header.map((h, i) => [h, i]));
  const required = [
    schema.baseColumn,
    ...PERTURBATIONS.map((p) => schema.baseColumn + CSV_SUFFIX[p]),
    ...(schema.idColumn ? [schema.idColumn] : []),
    ...(schema.questionColumn ? [schema.questionColumn] : []),
  ];
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) throw new RupbenchDataError(file, `missing columns: ${missing.join(", ")}`);
  const stem = (file.split("/").pop() ?? file).replace(/\.csv$/i, "").replace(/_RUP$/, "");

  const items: RupItem[] = [];
  const issues: LoadIssue[] = [];
  for (let r = 1; r < records.length; r++) {
    const { fields, line } = records[r];
    try {
      if (fields.length !== header.length) {
        throw new Error(`has ${fields.length} fields, the header has ${header.length}`);
      }
      const row: Row = (column) => {
        const i = index.get(column);
        if (i === undefined) throw new FieldError(column, "no such column");
        return fields[i];
      };
      const original = row(schema.baseColumn);
      const perturbed = Object.fromEntries(
        PERTURBATIONS.map((p) => [p, row(schema.baseColumn + CSV_SUFFIX[p])]),
      ) as Record<Perturbation, string>;
      const opts = schema.options(row);
      items.push({
        id: schema.idColumn ? row(schema.idColumn) : `${stem}-${r}`,
        dataset: schema.dataset,
        category: typeof schema.category === "string" ? schema.category : schema.category(row),
        original,
        perturbed,
        ...(schema.questionColumn ? { question: row(schema.questionColumn) } : {}),
        answerKind: schema.answerKind,
        options: opts,
        gold: schema.gold(row, opts),
        defects: detectDefects(original, perturbed),
        source: { file, row: r },
      });
    } catch (e) {
      const issue = { file, row: r, line, message: (e as Error).message };
      if (options.strict) throw new RupbenchDataError(file, issue.message, r, line);
      issues.push(issue);
    }
  }
  return { items, issues };
}
