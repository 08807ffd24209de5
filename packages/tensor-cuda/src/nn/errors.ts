import { fmt } from "../shape.js";

/** Thrown for a dotted path that names no submodule or parameter. */
export class ModulePathError extends Error {
  override name = "ModulePathError";
}

export interface ShapeMismatch {
  key: string;
  expected: readonly number[];
  got: readonly number[];
}

/**
 * Thrown by loadStateDict before anything is written, so a failed load leaves the model as it
 * was. The message lists every problem at once; the fields let a caller act on them.
 */
export class StateDictError extends Error {
  override name = "StateDictError";
  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: ShapeMismatch[],
  ) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys (${missing.length}): ${missing.join(", ")}`);
    if (unexpected.length) parts.push(`unexpected keys (${unexpected.length}): ${unexpected.join(", ")}`);
    if (mismatched.length) {
      const lines = mismatched.map((m) => `${m.key}: expected ${fmt(m.expected)}, got ${fmt(m.got)}`);
      parts.push(`shape mismatches (${mismatched.length}): ${lines.join("; ")}`);
    }
    super(`loadStateDict: ${parts.join("\n")}`);
  }
}
