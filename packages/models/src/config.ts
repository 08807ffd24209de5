/**
 * Reading `config.json`. Hugging Face configs are loose JSON with per-architecture field names
 * (n_embd vs hidden_size) and defaults that live in transformers' Python classes; the reader
 * makes each architecture state the names and defaults it uses, and turns a missing or
 * mistyped field into an error naming it.
 */
import { ModelConfigError } from "./errors.js";

export type RawConfig = Record<string, unknown>;

export class ConfigReader {
  constructor(
    readonly raw: RawConfig,
    readonly file = "config.json",
  ) {}

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  /** A required number; the first of several accepted names that is present wins. */
  int(fields: string | string[], fallback?: number): number {
    const v = this.first(fields, fallback);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new ModelConfigError(
        this.file,
        `expected a non-negative integer, got ${JSON.stringify(v)}`,
        name(fields),
      );
    }
    return v;
  }

  num(fields: string | string[], fallback?: number): number {
    const v = this.first(fields, fallback);
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ModelConfigError(this.file, `expected a number, got ${JSON.stringify(v)}`, name(fields));
    }
    return v;
  }

  bool(field: string, fallback: boolean): boolean {
    const v = this.first(field, fallback);
    if (typeof v !== "boolean")
      throw new ModelConfigError(this.file, `expected true or false, got ${JSON.stringify(v)}`, field);
    return v;
  }

  str(field: string, fallback?: string): string {
    const v = this.first(field, fallback);
    if (typeof v !== "string")
      throw new ModelConfigError(this.file, `expected a string, got ${JSON.stringify(v)}`, field);
    return v;
  }

  /** One of a fixed set of strings: anything else is an error that lists the set. */
  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T {
    const v = this.str(field, fallback);
    if (!allowed.includes(v as T)) {
      throw new ModelConfigError(
        this.file,
        `${JSON.stringify(v)} is not supported; expected one of ${allowed.join(", ")}`,
        field,
      );
    }
    return v as T;
  }

  fail(field: string, message: string): never {
    throw new ModelConfigError(this.file, message, field);
  }

  private first(fields: string | string[], fallback: unknown): unknown {
    for (const f of typeof fields === "string" ? [fields] : fields) if (this.has(f)) return this.raw[f];
    if (fallback === undefined)
      throw new ModelConfigError(this.file, "is required but missing", name(fields));
    return fallback;
  }
}

function name(fields: string | string[]): string {
  return typeof fields === "string" ? fields : fields.join(" / ");
}

/** Token ids in configs are a number, a list of numbers (several EOS tokens), or null. */
export function tokenIds(v: unknown): number[] {
  if (typeof v === "number") return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === "number");
  return [];
}
