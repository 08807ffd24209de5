/*
 * An on-disk, append-only cache of JSON values, so a served teacher is asked about a text once
 * across epochs and runs. Two files in a directory:
 *   entries.jsonl  one `{"key":..,"value":..}` line per entry, only ever appended;
 *   index.json     key -> [byte offset, byte length], and how many bytes of entries.jsonl it covers,
 *                  replaced atomically (temporary file, then rename).
 * The index is rewritten every `flushEvery` entries, not every entry. On open, lines past the
 * indexed bytes (written after the last index, before a crash) are read back into the index, and a
 * torn last line is cut off, so an interrupted run loses at most the entry it was writing.
 * One writing process per directory.
 */
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, readFile, rename, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";

const DATA = "entries.jsonl";
const INDEX = "index.json";

interface IndexFile {
  version: 1;
  dataBytes: number;
  entries: Record<string, [number, number]>;
}

/** sha256 of the JSON of `parts`: a fixed-length key from anything identifying an entry. */
export function cacheKey(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

export class JsonlCache<T> {
  #entries: Map<string, [number, number]>;
  #size: number;
  #unflushed = 0;
  // Appends and index writes run one after another, in call order.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    entries: Map<string, [number, number]>,
    size: number,
    readonly flushEvery: number,
  ) {
    this.#entries = entries;
    this.#size = size;
  }

  static async open<T>(dir: string, opts: { flushEvery?: number } = {}): Promise<JsonlCache<T>> {
    await mkdir(dir, { recursive: true });
    const dataPath = join(dir, DATA);
    const size = await stat(dataPath).then(
      (s) => s.size,
      () => 0,
    );
    let index = await readIndex(join(dir, INDEX));
    // A data file shorter than its index was truncated behind our back: trust only the data.
    if (index.dataBytes > size) index = { version: 1, dataBytes: 0, entries: {} };
    const entries = new Map(Object.entries(index.entries));
    let covered = index.dataBytes;
    if (size > covered) covered = await recoverTail(dataPath, covered, size, entries);
    const cache = new JsonlCache<T>(dir, entries, covered, opts.flushEvery ?? 100);
    if (covered !== index.dataBytes || entries.size !== Object.keys(index.entries).length)
      await cache.flush();
    return cache;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  async get(key: string): Promise<T | undefined> {
    const at = this.#entries.get(key);
    if (!at) return undefined;
    const fh = await open(join(this.dir, DATA), "r");
    try {
      const buf = Buffer.alloc(at[1]);
      await fh.read(buf, 0, at[1], at[0]);
      return (JSON.parse(buf.toString("utf8")) as { value: T }).value;
    } finally {
      await fh.close();
    }
  }

  /** Appends an entry; a key already present keeps its first value (a teacher's answer does not change). */
  put(key: string, value: T): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#entries.has(key)) return;
      const line = Buffer.from(`${JSON.stringify({ key, value })}\n`, "utf8");
      await appendBytes(join(this.dir, DATA), line);
      this.#entries.set(key, [this.#size, line.length - 1]);
      this.#size += line.length;
      if (++this.#unflushed >= this.flushEvery) await this.#writeIndex();
    });
  }

  /** Writes the index now (call when a run ends; entries are already on disk either way). */
  flush(): Promise<void> {
    return this.#enqueue(() => this.#writeIndex());
  }

  #enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(job);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #writeIndex(): Promise<void> {
    const index: IndexFile = {
      version: 1,
      dataBytes: this.#size,
      entries: Object.fromEntries(this.#entries),
    };
    const path = join(this.dir, INDEX);
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, JSON.stringify(index));
    await rename(tmp, path);
    this.#unflushed = 0;
  }
}

async function readIndex(path: string): Promise<IndexFile> {
  try {
    const index = JSON.parse(await readFile(path, "utf8")) as IndexFile;
    if (index.version === 1 && typeof index.dataBytes === "number" && typeof index.entries === "object")
      return index;
  } catch {
    // Missing or unreadable: rebuilt from the data file below.
  }
  return { version: 1, dataBytes: 0, entries: {} };
}

/** Indexes the complete lines in [from, size) and cuts off a torn last line; returns the bytes now covered. */
async function recoverTail(
  path: string,
  from: number,
  size: number,
  entries: Map<string, [number, number]>,
): Promise<number> {
  const fh = await open(path, "r");
  let buf: Buffer;
  try {
    buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
  } finally {
    await fh.close();
  }
  let pos = 0;
  for (let nl = buf.indexOf(10, pos); nl >= 0; nl = buf.indexOf(10, pos)) {
    const line = buf.subarray(pos, nl);
    try {
      const { key } = JSON.parse(line.toString("utf8")) as { key: string };
      if (typeof key === "string" && !entries.has(key)) entries.set(key, [from + pos, line.length]);
    } catch {
      // A line that is not JSON cannot be served; skip it and keep the rest.
    }
    pos = nl + 1;
  }
  if (from + pos < size) await truncate(path, from + pos);
  return from + pos;
}

async function appendBytes(path: string, bytes: Buffer): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, "a");
    await fh.write(bytes);
  } finally {
    await fh?.close();
  }
}
