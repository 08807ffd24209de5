/**
 * A seeded PRNG of our own (mulberry32 with an xmur3-style string hash for seeding) so that the
 * same seed gives the same perturbation on every machine and every Node version; Math.random
 * cannot be seeded and library PRNGs could change their stream between releases.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [lo, hi], both inclusive. */
  between(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  /** A new array with `k` distinct elements of `items`, in random order. */
  sample<T>(items: readonly T[], k: number): T[];
}

/** 32-bit string hash (xmur3 finaliser); turns any seed material into a PRNG state. */
export function hashSeed(material: string): number {
  let h = 1779033703 ^ material.length;
  for (let i = 0; i < material.length; i++) {
    h = Math.imul(h ^ material.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Mulberry32. Seeds given as several parts (seed, item id, perturbation) are joined, so each
 * (item, perturbation) pair has its own stream and results do not depend on processing order.
 */
export function createRng(...seedParts: (string | number)[]): Rng {
  let state = hashSeed(seedParts.join("\u0000"));
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    between: (lo, hi) => lo + int(hi - lo + 1),
    pick: (items) => {
      if (items.length === 0) throw new RangeError("cannot pick from an empty list");
      return items[int(items.length)];
    },
    sample: (items, k) => {
      const pool = [...items];
      for (let i = pool.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      return pool.slice(0, Math.min(k, pool.length));
    },
  };
}
