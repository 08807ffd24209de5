/**
 * Randomness that a checkpoint can restore exactly. tensor-cuda's Generator exposes no state to
 * save, so every random draw comes from a generator seeded afresh from (run seed, purpose,
 * counters): the RNG state of a run is its seed plus the counters it already checkpoints.
 */
import { Generator } from "@shrinkray/tensor-cuda";

/** Purposes get separate streams, so adding draws to one never shifts another. */
export type Stream = "shuffle" | "on-policy" | "generate";

const STREAM_ID: Record<Stream, number> = { shuffle: 1, "on-policy": 2, generate: 3 };

/** A 32-bit mix (murmur3's finaliser) of the seed, the stream and the counters. */
export function derivedSeed(seed: number, stream: Stream, ...counters: number[]): number {
  let h = (seed ^ Math.imul(STREAM_ID[stream], 0x9e3779b9)) >>> 0;
  for (const c of counters) {
    h = Math.imul(h ^ (c >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

export function generatorFor(seed: number, stream: Stream, ...counters: number[]): Generator {
  return new Generator(derivedSeed(seed, stream, ...counters));
}

/** A permutation of 0..n−1 (Fisher–Yates). */
export function permutation(n: number, gen: Generator): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = gen.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
