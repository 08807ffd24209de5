import { readFile } from "node:fs/promises";
import { SquadDataError } from "./errors.js";

export interface SquadItem {
  /** The question's `id` from the file. */
  id: string;
  title: string;
  context: string;
  question: string;
  /** Every gold answer text (duplicates kept, as in the file); scores take the best over them. */
  answers: string[];
}

function str(value: unknown, file: string, path: string): string {
  if (typeof value !== "string")
    throw new SquadDataError(file, path, `expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function arr(value: unknown, file: string, path: string): unknown[] {
  if (!Array.isArray(value)) throw new SquadDataError(file, path, "expected an array");
  return value;
}

type Obj = Record<string, unknown>;

/** Parses SQuAD v1.1 JSON (`data[].paragraphs[].qas[]`); a bad field is named by its JSON path. */
export function parseSquad(text: string, file: string): SquadItem[] {
  let root: Obj;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new SquadDataError(file, undefined, `malformed JSON (${(err as Error).message})`);
  }
  const items: SquadItem[] = [];
  arr(root?.data, file, "data").forEach((article, a) => {
    const at = `data[${a}]`;
    const title =
      (article as Obj)?.title === undefined ? "" : str((article as Obj).title, file, `${at}.title`);
    arr((article as Obj)?.paragraphs, file, `${at}.paragraphs`).forEach((paragraph, p) => {
      const pt = `${at}.paragraphs[${p}]`;
      const context = str((paragraph as Obj)?.context, file, `${pt}.context`);
      arr((paragraph as Obj)?.qas, file, `${pt}.qas`).forEach((qa, q) => {
        const qt = `${pt}.qas[${q}]`;
        const answers = arr((qa as Obj)?.answers, file, `${qt}.answers`).map((ans, i) =>
          str((ans as Obj)?.text, file, `${qt}.answers[${i}].text`),
        );
        // v2's unanswerable questions have none; v1.1's official script assumes at least one.
        if (answers.length === 0)
          throw new SquadDataError(file, `${qt}.answers`, "expected at least one answer (SQuAD v1.1)");
        items.push({
          id: str((qa as Obj)?.id, file, `${qt}.id`),
          title,
          context,
          question: str((qa as Obj)?.question, file, `${qt}.question`),
          answers,
        });
      });
    });
  });
  return items;
}

export async function loadSquad(file: string): Promise<SquadItem[]> {
  return parseSquad(await readFile(file, "utf8"), file);
}
