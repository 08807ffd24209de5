import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { MissingTensorError, UnknownArchitectureError } from "./errors.js";
import { loadPretrained } from "./load.js";
import { FIXTURES, fixtureDir, HAVE_FIXTURES } from "./test-fixtures.js";

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.skipIf(!HAVE_FIXTURES)(`reference fixtures (${FIXTURES})`, () => {
  for (const name of ["tiny-gpt2", "tiny-llama", "tiny-qwen2"]) {
    it(`${name} reproduces the reference logits within 1e-4`, async () => {
      const model = await loadPretrained(fixtureDir(name));
      const ref = await io.loadSafetensors(join(fixtureDir(name), "reference.safetensors"));
      const ids = ref.get("input_ids")!;
      const want = ref.get("logits")!;
      const got = noGrad(() => model.forward(ids));
      expect(got.shape).toEqual(want.shape);
      const diff = maxAbsDiff(got.dataSync() as Float32Array, want.dataSync() as Float32Array);
      console.log(`${name}: max |logits - reference| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-4);
      expect(model.tokenizer).toBeNull();
    });
  }

  it("exposes every projection as an nn.Linear under its Hugging Face name", async () => {
    const llama = await loadPretrained(fixtureDir("tiny-llama"));
    expect(llama.get("model.layers.1.self_attn.q_proj").constructor.name).toBe("ModelLinear");
    const gpt2 = await loadPretrained(fixtureDir("tiny-gpt2"));
    expect(gpt2.getParameter("transformer.h.0.attn.c_attn.weight").shape).toEqual([192, 64]);
    // Tied head: one tensor under two names.
    expect(gpt2.getParameter("lm_head.weight")).toBe(gpt2.getParameter("transformer.wte.weight"));
  });
});

describe("load errors", () => {
  it("names the unknown model_type and lists the supported ones", async () => {
    const dir = await mkdtemp(join(tmpdir(), "models-"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ model_type: "mamba" }));
    const err = await loadPretrained(dir).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownArchitectureError);
    expect(err.message).toMatch(/"mamba".*llama, mistral, qwen2, qwen3, gpt2, opt/);
  });

  it.skipIf(!HAVE_FIXTURES)("lists every missing tensor", async () => {
    const dir = await mkdtemp(join(tmpdir(), "models-"));
    const src = await io.loadSafetensors(join(fixtureDir("tiny-llama"), "model.safetensors"));
    src.delete("lm_head.weight");
    src.delete("model.layers.1.mlp.up_proj.weight");
    await io.saveSafetensors(join(dir, "model.safetensors"), src);
    const cfg = await import(join(fixtureDir("tiny-llama"), "config.json"), { with: { type: "json" } });
    await writeFile(join(dir, "config.json"), JSON.stringify(cfg.default));
    const err = await loadPretrained(dir).catch((e) => e);
    expect(err).toBeInstanceOf(MissingTensorError);
    expect(err.missing).toEqual(["model.layers.1.mlp.up_proj.weight", "lm_head.weight"]);
  });

  it("rejects a config field with the wrong type, naming it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "models-"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ model_type: "llama", hidden_size: "big" }));
    await expect(loadPretrained(dir)).rejects.toThrow(/field "hidden_size"/);
  });
});

void Tensor;
