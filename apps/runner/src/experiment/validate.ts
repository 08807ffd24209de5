import { ConfigError } from "../cli/errors.js";

/**
 * A tiny declarative schema, enough to validate experiment files with errors that name the
 * field ("variants[2].quantize.bits: expected one of 2, 3, 4, 8, got 5") and catch typos
 * ("unknown field "quantise" (did you mean "quantize"?)").
 */
export type Schema =
  | { type: "string"; enum?: readonly string[]; optional?: boolean; doc?: string }
  | {
      type: "number";
      enum?: readonly number[];
      min?: number;
      max?: number;
      integer?: boolean;
      optional?: boolean;
    }
  | { type: "boolean"; optional?: boolean }
  | { type: "array"; items: Schema; minItems?: number; optional?: boolean }
  | { type: "object"; properties: Record<string, Schema>; optional?: boolean; additional?: Schema }
  | { type: "union"; tag: string; variants: Record<string, Schema & { type: "object" }>; optional?: boolean }
  | { type: "any"; optional?: boolean };

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function suggest(key: string, known: string[]): string {
  const best = known.map((k) => [k, editDistance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, key.length / 3)
    ? ` (did you mean "${best[0]}"?)`
    : ` (known: ${known.join(", ")})`;
}

const show = (v: unknown) =>
  typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? "an array" : String(v);

export function validate(value: unknown, schema: Schema, file: string, path = ""): void {
  const fail = (msg: string): never => {
    throw new ConfigError(file, path, msg);
  };
  if (value === undefined) {
    if (schema.optional) return;
    fail("is required");
  }
  switch (schema.type) {
    case "any":
      return;
    case "string":
      if (typeof value !== "string") fail(`expected a string, got ${show(value)}`);
      if (schema.enum && !schema.enum.includes(value as string)) {
        fail(`expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${show(value)}`);
      }
      return;
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) fail(`expected a number, got ${show(value)}`);
      const n = value as number;
      if (schema.enum && !schema.enum.includes(n))
        fail(`expected one of ${schema.enum.join(", ")}, got ${n}`);
      if (schema.integer && !Number.isInteger(n)) fail(`expected an integer, got ${n}`);
      if (schema.min !== undefined && n < schema.min) fail(`must be >= ${schema.min}, got ${n}`);
      if (schema.max !== undefined && n > schema.max) fail(`must be <= ${schema.max}, got ${n}`);
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") fail(`expected true or false, got ${show(value)}`);
      return;
    case "array":
      if (!Array.isArray(value)) fail(`expected an array, got ${show(value)}`);
      if (schema.minItems !== undefined && (value as unknown[]).length < schema.minItems) {
        fail(`needs at least ${schema.minItems} item(s)`);
      }
      for (const [i, v] of (value as unknown[]).entries()) validate(v, schema.items, file, `${path}[${i}]`);
      return;
    case "object": {
      if (!value || typeof value !== "object" || Array.isArray(value))
        fail(`expected an object, got ${show(value)}`);
      const obj = value as Record<string, unknown>;
      const known = Object.keys(schema.properties);
      for (const key of Object.keys(obj)) {
        const sub = schema.properties[key] ?? schema.additional;
        if (!sub) throw new ConfigError(file, path, `unknown field "${key}"${suggest(key, known)}`);
        validate(obj[key], sub, file, path ? `${path}.${key}` : key);
      }
      for (const key of known) {
        if (!(key in obj)) validate(undefined, schema.properties[key], file, path ? `${path}.${key}` : key);
      }
      return;
    }
    case "union": {
      if (!value || typeof value !== "object") fail(`expected an object, got ${show(value)}`);
      const tag = (value as Record<string, unknown>)[schema.tag];
      const kinds = Object.keys(schema.variants);
      if (typeof tag !== "string" || !schema.variants[tag]) {
        throw new ConfigError(
          file,
          path ? `${path}.${schema.tag}` : schema.tag,
          `expected one of ${kinds.join(", ")}, got ${show(tag)}`,
        );
      }
      validate(value, schema.variants[tag], file, path);
      return;
    }
  }
}
