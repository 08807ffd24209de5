import type { Rng } from "../prng.js";

export interface RedHerringOptions {
  /** Plausible but irrelevant sentences to draw from (the benchmark generated them with GPT-4). */
  herrings: readonly string[];
  position?: "before" | "after" | "either";
}

export class NoRedHerringsError extends Error {
  constructor() {
    super("redHerring needs a non-empty list of red-herring sentences");
    this.name = "NoRedHerringsError";
  }
}

/** Adds one red herring from the supplied list before or after the text. */
export function redHerring(text: string, rng: Rng, options: RedHerringOptions): string {
  const pool = options.herrings.filter((h) => h.trim() !== "");
  if (pool.length === 0) throw new NoRedHerringsError();
  const herring = rng.pick(pool).trim();
  const position = options.position ?? "either";
  const before = position === "before" || (position === "either" && rng.next() < 0.5);
  if (text.trim() === "") return herring;
  return before ? `${herring} ${text.trimStart()}` : `${text.trimEnd()} ${herring}`;
}
