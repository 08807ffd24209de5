import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import "../index.js";
import { Tensor } from "../tensor.js";
import {
  INDEX_FILE,
  openCheckpoint,
  SafetensorsError,
  SafetensorsFile,
  ShardedCheckpoint,
  saveSafetensors,
  saveSharded,
} from "./index.js";

const root = mkdtempSync(join(tmpdir(), "shrinkray-io-shard-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fresh = () => mkdtempSync(join(root, "ckpt-"));

/** Six float32 tensors of 400 bytes and one int64 of 80, in a deliberate (non-sorted) order. */
function model(): Map<string, Tensor> {
  const m = new Map<string, Tensor>();
  for (const name of ["embed", "h.0.w", "h.0.b", "h.1.w", "h.1.b", "head"]) {
    m.set(
      name,
      Tensor.from(
        Float32Array.from({ length: 100 }, (_, i) => i + name.length),
        [10, 10],
      ),
    );
  }
  m.set(
    "pos",
    Tensor.from(
      BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i) * 2n ** 40n),
      [10],
    ),
  );
  return m;
}

describe("saveSharded / openCheckpoint", () => {
  test("splits in the given order into model-0000i-of-0000n files with a transformers-style index", async () => {
    const d = fresh();
    const { files, index } = await saveSharded(d, model(), { maxShardBytes: 1000 });
    expect(files).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
    ]);
    expect(readdirSync(d).sort()).toEqual([...files, INDEX_FILE].sort());
    expect(index!.weight_map).toEqual({
      embed: files[0],
      "h.0.w": files[0],
      "h.0.b": files[1],
      "h.1.w": files[1],
      "h.1.b": files[2],
      head: files[2],
      pos: files[2],
    });
    // json.dumps(index, indent=2, sort_keys=True) + "\n", as transformers writes it.
    const text = readFileSync(join(d, INDEX_FILE), "utf8");
    expect(text).toBe(
      `{\n  "metadata": {\n    "total_size": 2480\n  },\n  "weight_map": {\n    "embed": "${files[0]}",\n    "h.0.b": "${files[1]}",\n    "h.0.w": "${files[0]}",\n    "h.1.b": "${files[2]}",\n    "h.1.w": "${files[1]}",\n    "head": "${files[2]}",\n    "pos": "${files[2]}"\n  }\n}\n`,
    );

    const ck = await openCheckpoint(d);
    expect(ck).toBeInstanceOf(ShardedCheckpoint);
    expect(new Set(ck.keys())).toEqual(new Set(model().keys()));
    expect(ck.metadata()).toEqual({ format: "pt" });
    expect(ck.info("pos")).toEqual({ dtype: "int64", shape: [10], byteLength: 80 });
    for (const [name, t] of model()) {
      const back = await ck.tensor(name);
      expect(back.dtype).toBe(t.dtype);
      expect(
        Buffer.from((back.dataSync() as Float32Array).buffer).equals(
          Buffer.from((t.dataSync() as Float32Array).buffer),
        ),
      ).toBe(true);
    }
    await ck.close();
  });

  test("a tensor over the limit gets a shard of its own", async () => {
    const d = fresh();
    const { files, index } = await saveSharded(
      d,
      { a: Tensor.zeros([10]), huge: Tensor.zeros([1000]), b: Tensor.zeros([10]) },
      { maxShardBytes: 100 },
    );
    expect(files).toHaveLength(2);
    // huggingface_hub appends the oversized tensor's shard before the one still being filled.
    expect(index!.weight_map).toEqual({ huge: files[0], a: files[1], b: files[1] });
  });

  test("reading is lazy across shards: open reads headers only", async () => {
    const d = fresh();
    await saveSharded(d, model(), { maxShardBytes: 1000 });
    const ck = (await openCheckpoint(d)) as ShardedCheckpoint;
    const headers = ck.bytesRead;
    expect(headers).toBeLessThan(3 * 1000);
    await ck.raw("head");
    expect(ck.bytesRead).toBe(headers + 400);
    await ck.close();
  });

  test("one shard is a plain model.safetensors, and stale files of an earlier save are removed", async () => {
    const d = fresh();
    await saveSharded(d, model(), { maxShardBytes: 1000 });
    const { files, index } = await saveSharded(d, model());
    expect(files).toEqual(["model.safetensors"]);
    expect(index).toBeUndefined();
    expect(readdirSync(d)).toEqual(["model.safetensors"]);
    const ck = await openCheckpoint(d);
    expect(ck).toBeInstanceOf(SafetensorsFile);
    expect(ck.keys()).toHaveLength(7);
    await ck.close();

    await saveSharded(d, model(), { maxShardBytes: 2000 });
    expect(readdirSync(d).sort()).toEqual(
      [INDEX_FILE, "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"].sort(),
    );
  });

  test("a sharded round trip is byte-exact", async () => {
    const d = fresh();
    await saveSharded(d, model(), { maxShardBytes: 1000 });
    const ck = await openCheckpoint(d);
    const raws = new Map();
    for (const k of ck.keys()) raws.set(k, await ck.raw(k));
    await ck.close();
    // Re-save in the original order (the split depends on order), from raw bytes.
    const ordered = new Map([...model().keys()].map((k) => [k, raws.get(k)]));
    const e = fresh();
    await saveSharded(e, ordered, { maxShardBytes: 1000 });
    for (const f of readdirSync(d))
      expect(readFileSync(join(e, f)).equals(readFileSync(join(d, f))), f).toBe(true);
  });

  test("prefers model.safetensors over an index, and opens explicit file or index paths", async () => {
    const d = fresh();
    await saveSharded(d, model(), { maxShardBytes: 1000 });
    await saveSafetensors(join(d, "model.safetensors"), { only: Tensor.ones([1]) });
    const single = await openCheckpoint(d);
    expect(single.keys()).toEqual(["only"]);
    await single.close();
    const viaIndex = await openCheckpoint(join(d, INDEX_FILE));
    expect(viaIndex.keys()).toHaveLength(7);
    await viaIndex.close();
    const viaFile = await openCheckpoint(new URL(`file://${join(d, "model-00001-of-00003.safetensors")}`));
    expect(viaFile.keys()).toEqual(["embed", "h.0.w"]);
    await viaFile.close();
  });
});

describe("broken checkpoints raise SafetensorsError", () => {
  async function fails(p: string, re: RegExp, tensor?: string) {
    const err = await openCheckpoint(p).catch((e) => e);
    expect(err).toBeInstanceOf(SafetensorsError);
    expect(err.message).toMatch(re);
    if (tensor) expect(err.tensor).toBe(tensor);
  }

  test("an empty directory", async () => {
    await fails(fresh(), /neither model.safetensors nor model.safetensors.index.json/);
  });

  test("a missing shard", async () => {
    const d = fresh();
    await saveSharded(d, model(), { maxShardBytes: 1000 });
    rmSync(join(d, "model-00002-of-00003.safetensors"));
    await fails(d, /model-00002-of-00003.safetensors: cannot open/);
  });

  test("an index naming the wrong shard for a tensor", async () => {
    const d = fresh();
    await saveSharded(d, model(), { maxShardBytes: 1000 });
    const idx = JSON.parse(readFileSync(join(d, INDEX_FILE), "utf8"));
    idx.weight_map.head = "model-00001-of-00003.safetensors";
    writeFileSync(join(d, INDEX_FILE), JSON.stringify(idx));
    await fails(d, /does not hold it/, "head");
  });

  test("malformed index JSON, missing weight_map, shard paths leaving the directory", async () => {
    const d = fresh();
    writeFileSync(join(d, INDEX_FILE), "{ not json");
    await fails(d, /cannot read the index/);
    writeFileSync(join(d, INDEX_FILE), JSON.stringify({ metadata: {} }));
    await fails(d, /field weight_map/);
    writeFileSync(join(d, INDEX_FILE), JSON.stringify({ weight_map: { w: "../secret.safetensors" } }));
    await fails(d, /not a file name in this directory/, "w");
  });
});
