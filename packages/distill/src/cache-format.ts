/**
 * The on-disk top-k teacher cache: shards `topk-NNNNN.safetensors`, each holding `ids` int32
 * [n, T, k] and `logprobs` float16 or float32 [n, T, k] for n consecutive dataset rows (aligned
 * to the student's positions), and `teacher-cache.json` naming them. The index is written last,
 * so a directory without it is an interrupted cache, never mistaken for a complete one.
 */
import type { Sequence } from "./sequence.js";

export const CACHE_INDEX = "teacher-cache.json";
export const CACHE_FORMAT = "shrinkray-topk-teacher-cache";

export interface CacheShard {
  file: string;
  /** First dataset row in the shard. */
  start: number;
  rows: number;
}

export interface CacheIndex {
  format: typeof CACHE_FORMAT;
  version: 1;
  k: number;
  /** T of every shard (the longest row; shorter rows are padded). */
  seqLen: number;
  vocabSize: number;
  rows: number;
  logprobDtype: "float16" | "float32";
  /** FNV-1a of the rows' tokens: a cache is only used with the data it was made from. */
  dataFingerprint: string;
  teacher: string;
  shards: CacheShard[];
}

export const shardName = (i: number) => `topk-${String(i).padStart(5, "0")}.safetensors`;

/** FNV-1a (32-bit) over each row's student and teacher tokens and targets. */
export function dataFingerprint(rows: readonly Sequence[]): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    h = Math.imul(h ^ (v & 0xffff), 0x01000193) >>> 0;
    h = Math.imul(h ^ (v >>> 16), 0x01000193) >>> 0;
  };
  for (const r of rows) {
    mix(r.ids.length);
    for (const v of r.ids) mix(v);
    for (const v of r.targets) mix(v);
    for (const v of r.teacherIds ?? []) mix(v);
    for (const v of r.teacherIndex ?? []) mix(v + 1);
  }
  return h.toString(16).padStart(8, "0");
}
