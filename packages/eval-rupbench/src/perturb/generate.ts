import { PERTURBATIONS, type Perturbation } from "../perturbation-kinds.js";
import { createRng, type Rng } from "../prng.js";
import { checklist } from "./checklist.js";
import { itCleft, whCleft } from "./cleft.js";
import { compound } from "./compound.js";
import { homophones } from "./homophones.js";
import { leetspeak } from "./leetspeak.js";
import { redHerring } from "./red-herring.js";
import { stress } from "./stress.js";
import { typos } from "./typos.js";

export interface PerturbOptions {
  /** Seed material; with the item id and the perturbation it fixes every random choice. */
  seed: number | string;
  /**
   * Red-herring sentences to draw from. Without them the red-herring text stays the original
   * and the item is flagged no-op for it (the benchmark's herrings were written by an LLM).
   */
  redHerrings?: readonly string[];
}

type Generator = (text: string, rng: Rng, redHerrings: readonly string[] | undefined) => string;

const GENERATORS: Record<Perturbation, Generator> = {
  homophones: (t, rng) => homophones(t, rng),
  typos: (t, rng) => typos(t, rng),
  leetspeak: (t, rng) => leetspeak(t, rng),
  itCleft: (t, rng) => itCleft(t, rng),
  whCleft: (t, rng) => whCleft(t, rng),
  compound: (t, rng) => compound(t, rng),
  redHerrings: (t, rng, herrings) => (herrings && herrings.length > 0 ? redHerring(t, rng, { herrings }) : t),
  checklist: (t, rng) => checklist(t, rng),
  stress: (t, rng) => stress(t, rng),
};

/** One perturbation of one text, reproducible from (seed, id, perturbation) alone. */
export function perturbText(
  perturbation: Perturbation,
  text: string,
  id: string,
  options: PerturbOptions,
): string {
  return GENERATORS[perturbation](text, createRng(options.seed, id, perturbation), options.redHerrings);
}

/** All nine perturbations of one text. */
export function perturbAll(text: string, id: string, options: PerturbOptions): Record<Perturbation, string> {
  return Object.fromEntries(PERTURBATIONS.map((p) => [p, perturbText(p, text, id, options)])) as Record<
    Perturbation,
    string
  >;
}
