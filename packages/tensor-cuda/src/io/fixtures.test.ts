import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import "../index.js";
import { loadSafetensors, openCheckpoint, SafetensorsFile, saveSafetensors } from "./index.js";

// The shared fixtures sit beside the repository (../shared from its root); a user's clone lacks them.
const fixtures = fileURLToPath(new URL("../../../../../shared/fixtures/", import.meta.url));
const present = existsSync(fixtures);
if (!present) console.warn(`io fixture tests skipped: ${fixtures} not found (it is present in CI)`);

const out = mkdtempSync(join(tmpdir(), "shrinkray-io-fx-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * load → save → bytes. The fixtures were written by a Python writer that orders tensors by name
 * alone and puts __metadata__ last, where the reference writer (and ours) sorts by dtype
 * alignment first and puts __metadata__ first; so equal bytes are required only where both
 * orders agree, and otherwise of our own output re-saved, with every tensor's bytes equal.
 */
async function roundTrip(path: string): Promise<{ identicalToFixture: boolean }> {
  const f = await SafetensorsFile.open(path);
  const meta = f.metadata();
  const original = new Map<string, Uint8Array>();
  for (const k of f.keys()) original.set(k, (await f.raw(k)).bytes);
  await f.close();
  const first = join(out, `a-${Math.random().toString(36).slice(2)}.safetensors`);
  const second = `${first}.again.safetensors`;
  await saveSafetensors(first, await loadSafetensors(path), meta);
  const g = await SafetensorsFile.open(first);
  expect(g.metadata()).toEqual(meta);
  expect(new Set(g.keys())).toEqual(new Set(original.keys()));
  for (const [k, bytes] of original) expect(Buffer.from((await g.raw(k)).bytes).equals(bytes), k).toBe(true);
  await g.close();
  await saveSafetensors(second, await loadSafetensors(first), meta);
  expect(readFileSync(second).equals(readFileSync(first))).toBe(true);
  return { identicalToFixture: readFileSync(first).equals(readFileSync(path)) };
}

describe.skipIf(!present)("shared fixtures", () => {
  for (const name of ["tiny-gpt2", "tiny-llama", "tiny-qwen2"]) {
    const dir = join(fixtures, "models", name);

    test(`${name}: model.safetensors opens lazily with sensible tensors`, async () => {
      const ck = await openCheckpoint(dir);
      expect(ck).toBeInstanceOf(SafetensorsFile);
      expect(ck.keys().length).toBeGreaterThan(5);
      expect(ck.metadata()).toEqual({ format: "pt" });
      for (const k of ck.keys()) {
        const info = ck.info(k);
        expect(info.dtype, k).toBe("float32");
        expect(info.shape.length, k).toBeGreaterThanOrEqual(1);
        expect(info.byteLength, k).toBe(info.shape.reduce((a, b) => a * b, 1) * 4);
      }
      const embed = ck.keys().find((k) => /embed_tokens|wte/.test(k))!;
      const vocab = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).vocab_size;
      expect(ck.info(embed).shape[0]).toBe(vocab);
      const t = await ck.tensor(embed);
      expect((t.dataSync() as Float32Array).every(Number.isFinite)).toBe(true);
      await ck.close();
    });

    test(`${name}: reference.safetensors holds input_ids I32 [2,16] and logits F32 [2,16,V]`, async () => {
      const vocab = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).vocab_size;
      const ref = await loadSafetensors(join(dir, "reference.safetensors"));
      const ids = ref.get("input_ids")!;
      expect(ids.dtype).toBe("int32");
      expect(ids.shape).toEqual([2, 16]);
      expect([...(ids.dataSync() as Int32Array)].every((v) => v >= 0 && v < vocab)).toBe(true);
      expect(ref.get("logits")!.dtype).toBe("float32");
      expect(ref.get("logits")!.shape).toEqual([2, 16, vocab]);
    });

    test(`${name}: read → write round trips`, async () => {
      await roundTrip(join(dir, "model.safetensors"));
      await roundTrip(join(dir, "reference.safetensors"));
    });
  }

  test("gptq fixtures: shapes, and byte-identical re-saves (all F32, so the orders agree)", async () => {
    const inputs = await SafetensorsFile.open(join(fixtures, "gptq", "inputs.safetensors"));
    expect(inputs.info("weight")).toMatchObject({ dtype: "float32", shape: [48, 320] });
    expect(inputs.info("calibration").shape).toEqual([4, 64, 320]);
    await inputs.close();
    expect((await roundTrip(join(fixtures, "gptq", "inputs.safetensors"))).identicalToFixture).toBe(true);
    const configs = JSON.parse(readFileSync(join(fixtures, "gptq", "index.json"), "utf8")) as {
      name: string;
    }[];
    expect(configs.length).toBe(8);
    for (const { name } of configs) {
      const p = join(fixtures, "gptq", `${name}.safetensors`);
      const f = await SafetensorsFile.open(p);
      expect(f.keys()).toEqual(["dequantized", "hessian", "rtn"]);
      expect(f.info("hessian").shape).toEqual([320, 320]);
      expect(f.info("dequantized").shape).toEqual([48, 320]);
      await f.close();
      expect((await roundTrip(p)).identicalToFixture, name).toBe(true);
    }
  });
});
