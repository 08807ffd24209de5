import { FieldError } from "../errors.js";
import type { RupOption } from "../item.js";
import { type PyValue, parseNumpyStringArray, parsePythonLiteral } from "../python-literal.js";

/** One CSV row addressed by column name. */
export type Row = (column: string) => string;

export const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function lettered(texts: string[]): RupOption[] {
  return texts.map((text, i) => ({ label: LETTERS[i], text }));
}

function literal(row: Row, column: string): PyValue {
  try {
    return parsePythonLiteral(row(column));
  } catch (e) {
    throw new FieldError(column, `not a Python literal (${(e as Error).message})`);
  }
}

/** Options held in separate columns (`sol1`, `sol2`; `Option A`..`Option C`). */
export function optionsFromColumns(...columns: string[]) {
  return (row: Row): RupOption[] => lettered(columns.map((c) => row(c)));
}

/** Options in a Python-dict cell: `{'stem': ..., 'choices': [{'label': 'A', 'text': ...}]}`. */
export function optionsFromChoicesDict(column: string) {
  return (row: Row): RupOption[] => {
    const v = literal(row, column);
    const choices = v !== null && typeof v === "object" && !Array.isArray(v) ? v.choices : undefined;
    if (!Array.isArray(choices) || choices.length === 0) throw new FieldError(column, "no 'choices' list");
    return choices.map((c, i) => {
      if (c === null || typeof c !== "object" || Array.isArray(c)) {
        throw new FieldError(column, `choice ${i} is not a dict`);
      }
      if (typeof c.label !== "string" || typeof c.text !== "string") {
        throw new FieldError(column, `choice ${i} lacks a string 'label' or 'text'`);
      }
      return { label: c.label, text: c.text };
    });
  };
}

/** Options in a Python-list cell of strings (ReClor `answers`). */
export function optionsFromList(column: string) {
  return (row: Row): RupOption[] => {
    const v = literal(row, column);
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === "string")) {
      throw new FieldError(column, "expected a non-empty list of strings");
    }
    return lettered(v as string[]);
  };
}

/** Options in numpy-array text with letter prefixes, `['A)5' 'B)6']` (AQuA). */
export function optionsFromNumpyLettered(column: string) {
  return (row: Row): RupOption[] => {
    let texts: string[];
    try {
      texts = parseNumpyStringArray(row(column));
    } catch (e) {
      throw new FieldError(column, `not a numpy string array (${(e as Error).message})`);
    }
    if (texts.length === 0) throw new FieldError(column, "no options");
    return texts.map((t, i) => {
      const m = /^\s*([A-Z])\s*\)\s*([\s\S]*)$/.exec(t);
      if (!m) throw new FieldError(column, `option ${i} has no 'X)' prefix: ${JSON.stringify(t)}`);
      return { label: m[1], text: m[2] };
    });
  };
}

/** Gold given as one of the option labels. */
export function goldLetter(column: string) {
  return (row: Row, options: RupOption[]): string => {
    const g = row(column).trim().toUpperCase();
    if (!options.some((o) => o.label === g)) {
      throw new FieldError(column, `gold ${JSON.stringify(row(column))} is not an option label`);
    }
    return g;
  };
}

/** Gold given as an index into the options, counted from `base` (0 or 1); becomes a letter. */
export function goldIndex(column: string, base: 0 | 1) {
  return (row: Row, options: RupOption[]): string => {
    const raw = row(column).trim();
    if (!/^\d+$/.test(raw)) throw new FieldError(column, `gold ${JSON.stringify(raw)} is not an integer`);
    const i = Number(raw) - base;
    if (i < 0 || i >= options.length) {
      throw new FieldError(column, `gold ${raw} is out of range for ${options.length} options`);
    }
    return options[i].label;
  };
}

/** An open answer that must be one of a closed set of words (NumerSense). */
export function goldWord(column: string, vocabulary: readonly string[]) {
  return (row: Row): string => {
    const g = row(column).trim().toLowerCase();
    if (!vocabulary.includes(g))
      throw new FieldError(column, `answer ${JSON.stringify(g)} is not a known word`);
    return g;
  };
}
