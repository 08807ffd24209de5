import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Tensor } from "../tensor.js";
import { writeAt, writeFileAtomic } from "./atomic.js";
import { asSafetensorsError, SafetensorsError } from "./errors.js";
import type { TensorInfo } from "./header.js";
import {
  pathString,
  type RawTensor,
  type ReadOptions,
  SafetensorsFile,
  type TensorReader,
} from "./reader.js";
import { entriesOf, type Storable, type StorableMap, saveSafetensors, storedBytes } from "./writer.js";

/*
 * Hugging Face model directories: one `model.safetensors`, or shards named
 * `model-00001-of-00003.safetensors` plus `model.safetensors.index.json`
 * ({metadata: {total_size}, weight_map: {tensor: shard file}}), as transformers writes them.
 */

export const SINGLE_FILE = "model.safetensors";
export const INDEX_FILE = "model.safetensors.index.json";
const WEIGHT_FILE = /^model(-\d{5}-of-\d{5})?\.safetensors$/;

export interface CheckpointIndex {
  metadata: Record<string, unknown>;
  weight_map: Record<string, string>;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Several shard files behind the one lazy API of a single file. */
export class ShardedCheckpoint implements TensorReader {
  private constructor(
    readonly indexPath: string,
    readonly index: CheckpointIndex,
    private readonly shards: Map<string, SafetensorsFile>,
    private readonly order: string[],
  ) {}

  /** Opens every shard named by the index (headers only) and checks each tensor is where it says. */
  static async open(indexPath: string): Promise<ShardedCheckpoint> {
    const index = await readIndex(indexPath);
    const dir = dirname(indexPath);
    const shards = new Map<string, SafetensorsFile>();
    try {
      for (const file of new Set(Object.values(index.weight_map))) {
        shards.set(file, await SafetensorsFile.open(join(dir, file)));
      }
      for (const [name, file] of Object.entries(index.weight_map)) {
        if (!shards.get(file)!.has(name)) {
          throw new SafetensorsError(indexPath, `weight_map puts it in ${file}, which does not hold it`, {
            tensor: name,
          });
        }
      }
    } catch (e) {
      await Promise.all([...shards.values()].map((s) => s.close()));
      throw e;
    }
    // Shard by shard, in file order within each: the order a sequential loader reads fastest.
    const order = [...shards.values()].flatMap((s) =>
      s.keys().filter((k) => Object.hasOwn(index.weight_map, k)),
    );
    return new ShardedCheckpoint(indexPath, index, shards, order);
  }

  keys(): string[] {
    return [...this.order];
  }
  has(name: string): boolean {
    return Object.hasOwn(this.index.weight_map, name);
  }
  /** The shard file (relative to the directory) holding `name`. */
  fileOf(name: string): string {
    if (!this.has(name)) throw new SafetensorsError(this.indexPath, "not in weight_map", { tensor: name });
    return this.index.weight_map[name];
  }
  info(name: string): TensorInfo {
    return this.shard(name).info(name);
  }
  raw(name: string): Promise<RawTensor> {
    return this.shard(name).raw(name);
  }
  readInto(name: string, into: Uint8Array): Promise<void> {
    return this.shard(name).readInto(name, into);
  }
  tensor(name: string, opts?: ReadOptions): Promise<Tensor> {
    return this.shard(name).tensor(name, opts);
  }
  /** The `__metadata__` of the first shard (transformers writes the same one into each). */
  metadata(): Record<string, string> | undefined {
    return this.shards.values().next().value?.metadata();
  }
  get bytesRead(): number {
    return [...this.shards.values()].reduce((a, s) => a + s.bytesRead, 0);
  }
  async close(): Promise<void> {
    await Promise.all([...this.shards.values()].map((s) => s.close()));
  }

  private shard(name: string): SafetensorsFile {
    return this.shards.get(this.fileOf(name))!;
  }
}

async function readIndex(path: string): Promise<CheckpointIndex> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw asSafetensorsError(path, e, "cannot read the index");
  }
  const idx = parsed as Partial<CheckpointIndex> | null;
  const wm = idx?.weight_map;
  if (typeof wm !== "object" || wm === null || Array.isArray(wm)) {
    throw new SafetensorsError(path, "missing or not an object", { field: "weight_map" });
  }
  for (const [name, file] of Object.entries(wm)) {
    // A shard name with a path in it could point outside the model directory.
    if (typeof file !== "string" || file !== basename(file) || file === "" || file === "..") {
      throw new SafetensorsError(path, `shard ${JSON.stringify(file)} is not a file name in this directory`, {
        tensor: name,
        field: "weight_map",
      });
    }
  }
  return { metadata: (idx?.metadata as Record<string, unknown>) ?? {}, weight_map: wm };
}

/**
 * Opens a checkpoint lazily: a directory (its `model.safetensors`, else its index, the order
 * transformers tries them in), or a path straight to a .safetensors file or an index.
 */
export async function openCheckpoint(path: string | URL): Promise<SafetensorsFile | ShardedCheckpoint> {
  const p = pathString(path);
  if (p.endsWith(".json")) return ShardedCheckpoint.open(p);
  if (p.endsWith(".safetensors")) return SafetensorsFile.open(p);
  if (await exists(join(p, SINGLE_FILE))) return SafetensorsFile.open(join(p, SINGLE_FILE));
  if (await exists(join(p, INDEX_FILE))) return ShardedCheckpoint.open(join(p, INDEX_FILE));
  throw new SafetensorsError(p, `neither ${SINGLE_FILE} nor ${INDEX_FILE} found`);
}

export interface SaveShardedOptions {
  /** Largest shard in bytes of tensor data; default 5 GB, transformers' default of "5GB". */
  maxShardBytes?: number;
  /** `__metadata__` of every shard; default {format: "pt"}, which transformers checks for. */
  metadata?: Record<string, string>;
}

/**
 * Splits tensors into shards the way huggingface_hub does (in the order given; a tensor larger
 * than the limit gets a shard of its own) and writes them, each atomically, then the index
 * last, so a reader never finds an index naming a shard that is not complete yet. A single
 * shard is written as `model.safetensors` with no index. Weight files of an earlier save that
 * the new one does not use are removed afterwards, as transformers' save_pretrained does.
 */
export async function saveSharded(
  dir: string | URL,
  tensors: StorableMap,
  opts: SaveShardedOptions = {},
): Promise<{ files: string[]; index?: CheckpointIndex }> {
  const d = pathString(dir);
  const max = opts.maxShardBytes ?? 5_000_000_000;
  const metadata = opts.metadata ?? { format: "pt" };
  const items = entriesOf(tensors);
  const shards: [string, Storable][][] = [];
  let current: [string, Storable][] = [];
  let currentBytes = 0;
  let total = 0;
  for (const item of items) {
    const n = storedBytes(item[1]);
    total += n;
    if (n > max) {
      shards.push([item]);
      continue;
    }
    if (currentBytes + n > max && current.length) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += n;
  }
  if (current.length || shards.length === 0) shards.push(current);

  await mkdir(d, { recursive: true });
  const count = String(shards.length).padStart(5, "0");
  const files =
    shards.length === 1
      ? [SINGLE_FILE]
      : shards.map((_, i) => `model-${String(i + 1).padStart(5, "0")}-of-${count}.safetensors`);
  for (let i = 0; i < shards.length; i++)
    await saveSafetensors(join(d, files[i]), new Map(shards[i]), metadata);

  let index: CheckpointIndex | undefined;
  if (shards.length > 1) {
    // fromEntries, not assignment: a tensor named "__proto__" must stay an ordinary key.
    const weightMap = Object.fromEntries(shards.flatMap((s, i) => s.map(([name]) => [name, files[i]])));
    index = { metadata: { total_size: total }, weight_map: weightMap };
    const text = Buffer.from(`${pythonJson(index)}\n`, "utf8");
    await writeFileAtomic(join(d, INDEX_FILE), (fh) => writeAt(fh, text, 0));
  }
  const keep = new Set([...files, ...(index ? [INDEX_FILE] : [])]);
  for (const f of await readdir(d)) {
    if ((WEIGHT_FILE.test(f) || f === INDEX_FILE) && !keep.has(f)) await rm(join(d, f), { force: true });
  }
  return { files, index };
}

/** `json.dumps(x, indent=2, sort_keys=True)` (ensure_ascii on), as transformers writes the index. */
function pythonJson(v: unknown, indent = ""): string {
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    return v.length ? `[\n${v.map((x) => inner + pythonJson(x, inner)).join(",\n")}\n${indent}]` : "[]";
  }
  if (v && typeof v === "object") {
    // Sorted here, not by the object: JS puts integer-like keys first, Python sorts them as text.
    const keys = Object.keys(v).sort();
    const body = keys.map(
      (k) => `${inner}${asciiJson(k)}: ${pythonJson((v as Record<string, unknown>)[k], inner)}`,
    );
    return keys.length ? `{\n${body.join(",\n")}\n${indent}}` : "{}";
  }
  return asciiJson(v);
}

function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
