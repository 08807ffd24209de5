import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, nn, noGrad } from "@shrinkray/tensor-cuda";
import { afterAll, describe, expect, it } from "vitest";
import { SparsityConfigError, sparsityConfigOf } from "../replace/config.js";
import { mergeSparse } from "../replace/merge.js";
import { sparsify } from "../replace/sparsify.js";
import { correlatedInputs, maxAbsDiff, TinyStack } from "../test-utils.js";
import {
  applySparsityConfig,
  CONFIG_FILE,
  loadSparseCheckpoint,
  saveSparseCheckpoint,
  sparseCheckpoint,
  sparseWeightFormat,
  WEIGHTS_FILE,
} from "./checkpoint.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("sparse checkpoints", () => {
  it("save, then reload onto a dense skeleton, reproduces the sparse model exactly", async () => {
    const model = new TinyStack(16, 32, 2, 1);
    sparsify(model, {
      rules: [
        { pattern: "up_proj$", groups: 4, rank: 3, permutation: "shuffle", alpha: 6 },
        { pattern: "down_proj$", groups: 2, rank: 0 },
      ],
    });
    const dir = await mkdtemp(join(tmpdir(), "sparse-ckpt-"));
    dirs.push(dir);
    const config = await saveSparseCheckpoint(dir, model);
    expect(config.layers.map((l) => [l.name, l.kind, l.groups, l.rank, l.permuted])).toEqual([
      ["blocks.0.up_proj", "grouped-lora", 4, 3, true],
      ["blocks.0.down_proj", "grouped", 2, 0, false],
      ["blocks.1.up_proj", "grouped-lora", 4, 3, true],
      ["blocks.1.down_proj", "grouped", 2, 0, false],
    ]);
    expect((await readdir(dir)).sort()).toEqual([WEIGHTS_FILE, CONFIG_FILE].sort());
    const onDisk = JSON.parse(await readFile(join(dir, CONFIG_FILE), "utf8"));
    expect(onDisk).toEqual(config);
    const file = await io.SafetensorsFile.open(join(dir, WEIGHTS_FILE));
    expect(JSON.parse(file.metadata()!.sparsity_config)).toEqual(config);
    expect(file.keys()).toContain("blocks.0.up_proj.grouped.perm");
    await file.close();

    const skeleton = new TinyStack(16, 32, 2, 99);
    await loadSparseCheckpoint(dir, skeleton);
    const x = correlatedInputs(20, 16, 3);
    model.eval();
    skeleton.eval();
    expect(noGrad(() => maxAbsDiff(skeleton.call(x), model.call(x)))).toBe(0);
    expect(skeleton.numParameters()).toBe(model.numParameters());
  });

  it("rejects a config that does not fit the model", () => {
    const model = new TinyStack(16, 32, 1, 1);
    const layer = {
      name: "blocks.0.up_proj",
      kind: "grouped",
      inFeatures: 16,
      outFeatures: 64,
      groups: 2,
      rank: 0,
      alpha: 0,
      bias: true,
      permuted: false,
    } as const;
    const cfg = (l: object) => ({ format: "shrinkray-sparse-layers", version: 1, layers: [l] }) as never;
    expect(() => applySparsityConfig(model, cfg(layer))).toThrow(/16 → 64, the model's Linear is 16 → 32/);
    expect(() => applySparsityConfig(model, cfg({ ...layer, name: "blocks.3.up_proj" }))).toThrow(
      SparsityConfigError,
    );
    expect(() => applySparsityConfig(model, { format: "other" } as never)).toThrow(/not a version-1/);
  });

  it("sparseCheckpoint's contents (16-bit floats, sharded) load back; mergeSparse gives the same function as dense Linears", async () => {
    const model = new TinyStack(16, 32, 2, 1);
    sparsify(model, { rules: [{ pattern: "up_proj$", groups: 4, rank: 3, permutation: "shuffle" }] });
    const contents = sparseCheckpoint(model, { dtype: "bfloat16" });
    expect(contents.tensors.get("blocks.0.up_proj.grouped.weight")!.dtype).toBe("bfloat16");
    expect(contents.tensors.get("blocks.0.up_proj.grouped.perm")!.dtype).toBe("int32");
    expect(JSON.parse(contents.files[CONFIG_FILE])).toEqual(sparsityConfigOf(model));
    const dir = await mkdtemp(join(tmpdir(), "sparse-ckpt-"));
    dirs.push(dir);
    await io.saveSharded(dir, contents.tensors, { maxShardBytes: 2048 });
    for (const [name, text] of Object.entries(contents.files)) await writeFile(join(dir, name), text);
    expect(await readdir(dir)).toContain("model.safetensors.index.json");
    expect(await sparseWeightFormat.detect(dir)).toBe(true);
    const skeleton = new TinyStack(16, 32, 2, 99);
    await sparseWeightFormat.load(skeleton, dir);
    const x = correlatedInputs(20, 16, 3);
    model.eval();
    skeleton.eval();
    // bfloat16 storage: close to the float32 model, not equal.
    expect(noGrad(() => maxAbsDiff(skeleton.call(x), model.call(x)))).toBeLessThan(0.05);

    const merged = mergeSparse(skeleton);
    expect(merged).toEqual(["blocks.0.up_proj", "blocks.1.up_proj"]);
    expect(skeleton.get("blocks.0.up_proj")).toBeInstanceOf(nn.Linear);
    const before = noGrad(() => model.call(x));
    mergeSparse(model);
    expect(noGrad(() => maxAbsDiff(model.call(x), before))).toBeLessThan(1e-5);
    expect(await sparseWeightFormat.detect(join(dir, "nope"))).toBe(false);
  });
});
