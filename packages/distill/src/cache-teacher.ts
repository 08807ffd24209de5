import { mkdir } from "node:fs/promises";
/**
 * The `cache-teacher` step: run a teacher once over a dataset and keep its top-k per position on
 * disk, so a large teacher runs once (perhaps on another machine) and every epoch, run and
 * student reads the cache instead.
 */
import { join } from "node:path";
import type { TopkTeacher } from "@shrinkray/kd-losses";
import { io, Tensor } from "@shrinkray/tensor-cuda";
import { writeJsonAtomic } from "./atomic.js";
import { collate } from "./batches.js";
import {
  CACHE_FORMAT,
  CACHE_INDEX,
  type CacheIndex,
  type CacheShard,
  dataFingerprint,
  shardName,
} from "./cache-format.js";
import { hostTopk } from "./model-teacher.js";
import type { Sequence } from "./sequence.js";
import type { TeacherSource } from "./teacher-source.js";

export interface CacheTeacherOptions {
  teacher: TeacherSource;
  data: readonly Sequence[];
  dir: string;
  k: number;
  /** Default "float16": half the disk, and log-probabilities need no more. */
  logprobDtype?: "float16" | "float32";
  /** Rows per shard (default 1024). */
  shardRows?: number;
  /** Rows per teacher call (default 8). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function cacheTeacher(opts: CacheTeacherOptions): Promise<CacheIndex> {
  const { teacher, data, dir, k } = opts;
  const shardRows = opts.shardRows ?? 1024;
  const batchSize = opts.batchSize ?? 8;
  const dtype = opts.logprobDtype ?? "float16";
  if (data.length === 0) throw new RangeError("cacheTeacher: no rows to cache");
  if (!(Number.isInteger(k) && k >= 1 && k <= teacher.vocabSize)) {
    throw new RangeError(`cacheTeacher: k must be an integer in [1, ${teacher.vocabSize}], got ${k}`);
  }
  await mkdir(dir, { recursive: true });
  const T = Math.max(...data.map((s) => s.ids.length));
  const shards: CacheShard[] = [];
  for (let start = 0; start < data.length; start += shardRows) {
    const n = Math.min(shardRows, data.length - start);
    const ids = new Int32Array(n * T * k);
    const lps = new Float32Array(n * T * k);
    // Padding positions: distinct ids, so the file is valid top-k everywhere.
    for (let r = 0; r < n * T; r++) for (let j = 0; j < k; j++) ids[r * k + j] = j;
    for (let b0 = 0; b0 < n; b0 += batchSize) {
      const rows = Array.from({ length: Math.min(batchSize, n - b0) }, (_, i) => start + b0 + i);
      const batch = collate(
        rows.map((r) => data[r] as Sequence),
        rows,
      );
      const out = await teacher.score(batch);
      const top = ("logits" in out ? hostTopk(out.logits, k) : out) as TopkTeacher;
      if (top.topkIds.shape[2] !== k) {
        throw new RangeError(
          `cacheTeacher: the teacher gives top-${top.topkIds.shape[2]}, the cache wants k = ${k}`,
        );
      }
      const Tb = batch.inputIds.shape[1];
      const bi = top.topkIds.cast("int32").dataSync() as Int32Array;
      const bl = top.topkLogprobs.cast("float32").dataSync() as Float32Array;
      rows.forEach((_, i) => {
        ids.set(bi.subarray(i * Tb * k, (i + 1) * Tb * k), (b0 + i) * T * k);
        lps.set(bl.subarray(i * Tb * k, (i + 1) * Tb * k), (b0 + i) * T * k);
      });
      opts.onProgress?.(start + b0 + rows.length, data.length);
    }
    const file = shardName(shards.length);
    const logprobs = Tensor.from(lps, [n, T, k]);
    await io.saveSafetensors(join(dir, file), {
      ids: Tensor.from(ids, [n, T, k]),
      logprobs: dtype === "float32" ? logprobs : logprobs.cast("float16"),
    });
    shards.push({ file, start, rows: n });
  }
  const index: CacheIndex = {
    format: CACHE_FORMAT,
    version: 1,
    k,
    seqLen: T,
    vocabSize: teacher.vocabSize,
    rows: data.length,
    logprobDtype: dtype,
    dataFingerprint: dataFingerprint(data),
    teacher: teacher.description,
    shards,
  };
  await writeJsonAtomic(join(dir, CACHE_INDEX), index);
  return index;
}
