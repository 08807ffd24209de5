import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { loadPretrained } from "./load.js";
import { fixtureDir, HAVE_FIXTURES } from "./test-fixtures.js";

/** A copy of a fixture with every floating tensor stored as `dtype`, as bf16/f16 checkpoints come. */
async function halfCopy(name: string, dtype: "bfloat16" | "float16"): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `sr-${dtype}-`));
  copyFileSync(join(fixtureDir(name), "config.json"), join(dir, "config.json"));
  const tensors = await io.loadSafetensors(join(fixtureDir(name), "model.safetensors"));
  const half = new Map<string, Tensor>();
  for (const [k, t] of tensors) half.set(k, t.dtype === "float32" ? t.cast(dtype) : t);
  await io.saveSafetensors(join(dir, "model.safetensors"), half);
  return dir;
}

describe.skipIf(!HAVE_FIXTURES)('loadPretrained dtype "auto"', () => {
  for (const [name, dtype] of [
    ["tiny-llama", "bfloat16"],
    ["tiny-qwen2", "bfloat16"],
    ["tiny-gpt2", "float16"],
  ] as const) {
    it(`${name} (${dtype}): keeps matrices at the file's width and computes the float32-loaded logits exactly`, async () => {
      const dir = await halfCopy(name, dtype);
      const wide = await loadPretrained(dir);
      const kept = await loadPretrained(dir, { dtype: "auto" });
      const matrices = kept.namedParameters().filter(([, p]) => p.rank === 2);
      expect(matrices.length).toBeGreaterThan(0);
      for (const [n, p] of matrices) expect(`${n} ${p.dtype}`).toBe(`${n} ${dtype}`);
      for (const [n, p] of kept.namedParameters().filter(([, p]) => p.rank === 1))
        expect(`${n} ${p.dtype}`).toBe(`${n} float32`);
      for (const [, p] of wide.namedParameters()) expect(p.dtype).toBe("float32");
      const ids = Tensor.from(
        Int32Array.from({ length: 12 }, (_, i) => (i * 13 + 1) % kept.vocabSize),
        [2, 6],
      );
      const a = noGrad(() => wide.forward(ids)).dataSync() as Float32Array;
      const b = noGrad(() => kept.forward(ids)).dataSync() as Float32Array;
      // Widening is exact, so both compute on the same float32 values.
      expect(Array.from(b)).toEqual(Array.from(a));
      const bytes = (m: typeof kept) =>
        m.parameters().reduce((s, p) => s + p.size * (p.dtype === "float32" ? 4 : 2), 0);
      expect(bytes(kept)).toBeLessThan(0.6 * bytes(wide));
    });
  }

  it("loads a float32 checkpoint as float32", async () => {
    const m = await loadPretrained(fixtureDir("tiny-llama"), { dtype: "auto" });
    expect(new Set(m.parameters().map((p) => p.dtype))).toEqual(new Set(["float32"]));
  });

  it("names an unknown dtype", async () => {
    await expect(loadPretrained(fixtureDir("tiny-llama"), { dtype: "int8" as never })).rejects.toThrow(
      /dtype must be "float32" or "auto"/,
    );
  });
});
