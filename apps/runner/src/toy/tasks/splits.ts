/**
 * Train / held-out splits of a generated task. Each split draws from its own seed stream
 * (the split's name is part of every item's seed material), and an item belongs to a split
 * only when the hash of its text falls in that split's bucket: a question generated for one
 * split can never appear in the other, whatever the seeds.
 */
import { createRng, hashSeed, type Rng } from "@shrinkray/eval-rupbench";

export type Split = "train" | "heldout";

/** One item in HELDOUT_BUCKETS is held out. */
const HELDOUT_BUCKETS = 10;

export function splitOf(text: string): Split {
  return hashSeed(`toy-split\u0000${text}`) % HELDOUT_BUCKETS === 0 ? "heldout" : "train";
}

export interface DrawOptions {
  split: Split;
  seed: number;
  count: number;
  /** Index of the first item (a later slice of the same stream). */
  offset?: number;
}

/**
 * `count` distinct items of one split: item i comes from the stream (task, seed, split, i,
 * attempt), retried with the next attempt until it lands in the split and is new. The result
 * depends only on the arguments, never on what was drawn before.
 */
export function drawItems<T>(
  task: string,
  opts: DrawOptions,
  make: (rng: Rng, index: number) => T,
  key: (item: T) => string,
): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  const first = opts.offset ?? 0;
  for (let i = first; out.length < opts.count; i++) {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 1000) throw new Error(`${task}: could not draw item ${i} of split ${opts.split}`);
      const item = make(createRng("shrinkray-toy", task, opts.seed, opts.split, i, attempt), i);
      const k = key(item);
      if (splitOf(k) !== opts.split || seen.has(k)) continue;
      seen.add(k);
      out.push(item);
      break;
    }
  }
  return out;
}
