/**
 * Reading the top-k cache as a teacher. Rows are read lazily with positional reads into the
 * shard (the header's offsets say where row r of `ids` / `logprobs` lies), so memory holds one
 * batch, never a shard, and shuffled batches cost only their own bytes.
 */
import { type FileHandle, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { io, Tensor } from "@shrinkray/tensor-cuda";
import { CACHE_FORMAT, CACHE_INDEX, type CacheIndex, dataFingerprint } from "./cache-format.js";
import { TeacherCacheError } from "./errors.js";
import type { Sequence } from "./sequence.js";
import type { TeacherSource } from "./teacher-source.js";

interface OpenShard {
  fh: FileHandle;
  start: number;
  rows: number;
  /** Absolute byte offsets of the two tensors' data. */
  idsAt: number;
  lpAt: number;
}

export interface CachedTeacher extends TeacherSource {
  readonly index: CacheIndex;
  close(): Promise<void>;
}

/**
 * Opens a cache written by cacheTeacher. Given `data`, checks that the cache was made from
 * exactly these rows (a cache of other rows would silently teach the wrong thing).
 */
export async function openTeacherCache(
  dir: string,
  opts: { data?: readonly Sequence[] } = {},
): Promise<CachedTeacher> {
  let index: CacheIndex;
  try {
    index = JSON.parse(await readFile(join(dir, CACHE_INDEX), "utf8"));
  } catch (e) {
    throw new TeacherCacheError(
      dir,
      `no readable ${CACHE_INDEX} (not a teacher cache, or cacheTeacher was interrupted): ${(e as Error).message}`,
    );
  }
  if (index.format !== CACHE_FORMAT || index.version !== 1) {
    throw new TeacherCacheError(dir, `${CACHE_INDEX} is not a version-1 ${CACHE_FORMAT}`);
  }
  if (opts.data) {
    const fp = dataFingerprint(opts.data);
    if (opts.data.length !== index.rows || fp !== index.dataFingerprint) {
      throw new TeacherCacheError(
        dir,
        `the cache was made from other data (${index.rows} rows, fingerprint ${index.dataFingerprint}; ` +
          `given ${opts.data.length} rows, fingerprint ${fp})`,
      );
    }
  }
  const { k, seqLen: T } = index;
  const lpBytes = index.logprobDtype === "float16" ? 2 : 4;
  const shards: OpenShard[] = [];
  for (const s of index.shards) shards.push(await openShard(dir, s.file, s.start, s.rows, index));
  const rowOf = (r: number) => {
    const s = shards.find((x) => r >= x.start && r < x.start + x.rows);
    if (!s)
      throw new TeacherCacheError(dir, `row ${r} is not in the cache (it holds rows 0..${index.rows - 1})`);
    return s;
  };
  return {
    index,
    vocabSize: index.vocabSize,
    scoresNewSequences: false,
    description: `cache top-${k} at ${dir}`,
    async score(req) {
      if (!req.indices) {
        throw new TeacherCacheError(
          dir,
          "a cached teacher only scores dataset rows (on-policy samples need a live teacher)",
        );
      }
      const [B, Tb] = req.inputIds.shape;
      if (Tb > T) throw new TeacherCacheError(dir, `batch rows of ${Tb} tokens, the cache holds ${T}`);
      const n = Tb * k;
      const ids = new Int32Array(B * n);
      const lps = new Uint8Array(B * n * lpBytes);
      await Promise.all(
        req.indices.map(async (r, b) => {
          const s = rowOf(r);
          const row = r - s.start;
          await readExact(s.fh, new Uint8Array(ids.buffer, b * n * 4, n * 4), s.idsAt + row * T * k * 4, dir);
          await readExact(
            s.fh,
            lps.subarray(b * n * lpBytes, (b + 1) * n * lpBytes),
            s.lpAt + row * T * k * lpBytes,
            dir,
          );
        }),
      );
      const topkLogprobs = io.rawToTensor(
        { dtype: index.logprobDtype, shape: [B, Tb, k], bytes: lps },
        { dtype: "float32" },
      );
      return { topkIds: Tensor.from(ids, [B, Tb, k]), topkLogprobs };
    },
    async close() {
      await Promise.all(shards.map((s) => s.fh.close()));
    },
  };
}

/** Parses the safetensors header for the two tensors' offsets and checks their shapes. */
async function openShard(
  dir: string,
  file: string,
  start: number,
  rows: number,
  index: CacheIndex,
): Promise<OpenShard> {
  const path = join(dir, file);
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw new TeacherCacheError(dir, `shard ${file} is missing (${(e as Error).message})`);
  }
  const len = new Uint8Array(8);
  await readExact(fh, len, 0, dir);
  const n = Number(new DataView(len.buffer).getBigUint64(0, true));
  const json = new Uint8Array(n);
  await readExact(fh, json, 8, dir);
  const header = JSON.parse(new TextDecoder().decode(json));
  const want = { ids: "I32", logprobs: index.logprobDtype === "float16" ? "F16" : "F32" };
  for (const [name, dtype] of Object.entries(want)) {
    const e = header[name];
    const shape = [rows, index.seqLen, index.k];
    if (!e || e.dtype !== dtype || e.shape.join() !== shape.join()) {
      await fh.close();
      throw new TeacherCacheError(
        dir,
        `${file}: tensor "${name}" should be ${dtype} [${shape.join(", ")}], got ${JSON.stringify(e)}`,
      );
    }
  }
  return {
    fh,
    start,
    rows,
    idsAt: 8 + n + header.ids.data_offsets[0],
    lpAt: 8 + n + header.logprobs.data_offsets[0],
  };
}

async function readExact(fh: FileHandle, into: Uint8Array, position: number, dir: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0)
      throw new TeacherCacheError(dir, `a shard ended early (truncated?) at byte ${position + done}`);
    done += bytesRead;
  }
}
