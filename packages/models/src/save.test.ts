import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import type { CausalLM } from "./causal-lm.js";
import { ModelConfigError } from "./errors.js";
import { loadPretrained } from "./load.js";
import { createModel } from "./registry.js";
import { saveModel } from "./save.js";
import type { WeightFormat } from "./weight-format.js";

const CONFIG = {
  model_type: "llama",
  vocab_size: 40,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 1,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 16,
  torch_dtype: "bfloat16",
};

const tempDir = () => mkdtemp(join(tmpdir(), "models-save-"));
const logits = (m: CausalLM, ids: Tensor) => noGrad(() => m.forward(ids)).dataSync() as Float32Array;

function modelWithSideFiles(): CausalLM {
  const model = createModel(CONFIG, { init: "random" });
  model.sideFiles.set("tokenizer_config.json", new TextEncoder().encode('{"chat_template": "{{ x }}"}'));
  model.sideFiles.set("special_tokens_map.json", new TextEncoder().encode('{"eos_token": "</s>"}'));
  model.generationConfig = { raw: { eos_token_id: 2, do_sample: false } } as never;
  return model;
}

describe("saveModel: a complete model directory", () => {
  it("writes weights in the source's torch_dtype, config, generation config, side files and a model card", async () => {
    const model = modelWithSideFiles();
    const out = join(await tempDir(), "out");
    await saveModel(model, out, {
      card: {
        baseModel: "org/base",
        method: "RTN 4-bit",
        settings: { bits: 4, group_size: 32 },
        metrics: [{ name: "toy accuracy", value: 0.5, interval: [0.3, 0.7] }],
      },
    });
    expect((await readdir(out)).sort()).toEqual([
      "README.md",
      "config.json",
      "generation_config.json",
      "model.safetensors",
      "special_tokens_map.json",
      "tokenizer_config.json",
    ]);
    const config = JSON.parse(await readFile(join(out, "config.json"), "utf8"));
    expect(config.torch_dtype).toBe("bfloat16");
    const f = await io.SafetensorsFile.open(join(out, "model.safetensors"));
    expect(f.info("model.embed_tokens.weight").dtype).toBe("bfloat16");
    await f.close();
    const card = await readFile(join(out, "README.md"), "utf8");
    expect(card).toContain('base_model: "org/base"');
    expect(card).toContain("| bits | 4 |");
    expect(card).toContain("| toy accuracy | 0.5 | 0.3 – 0.7 |");
    expect(JSON.parse(await readFile(join(out, "generation_config.json"), "utf8"))).toEqual({
      eos_token_id: 2,
      do_sample: false,
    });
    // No temp or backup siblings are left behind.
    expect((await readdir(join(out, ".."))).filter((n) => n.startsWith("."))).toEqual([]);

    const back = await loadPretrained(out, { tokenizer: false });
    const ids = Tensor.from(Int32Array.from([1, 5, 9, 3]), [1, 4]);
    const want = Tensor.from(logits(model, ids), [1, 4, 40]);
    const got = Tensor.from(logits(back, ids), [1, 4, 40]);
    // bfloat16 storage: close, not equal.
    expect(got.sub(want).abs().max().item()).toBeLessThan(0.05);
  });

  it("replaces a model directory whole, and refuses a folder that is not one", async () => {
    const root = await tempDir();
    const out = join(root, "m");
    await saveModel(createModel(CONFIG, { init: "random" }), out, { dtype: "float32" });
    await writeFile(join(out, "stale.bin"), "x");
    await saveModel(createModel(CONFIG, { init: "random" }), out, { dtype: "float32" });
    expect(await readdir(out)).not.toContain("stale.bin");

    const precious = join(root, "notes");
    await mkdir(precious);
    await writeFile(join(precious, "todo.txt"), "keep me");
    const err = await saveModel(createModel(CONFIG, { init: "random" }), precious).catch((e) => e);
    expect(err).toBeInstanceOf(ModelConfigError);
    expect(err.message).toMatch(/not a model directory \(no config.json\); not replacing it/);
    expect(await readdir(precious)).toEqual(["todo.txt"]);
  });

  it("writes a compression package's checkpoint contents and drops a stale quantization_config", async () => {
    const model = createModel(
      { ...CONFIG, quantization_config: { quant_method: "gptq" } },
      { init: "random" },
    );
    const out = join(await tempDir(), "q");
    const w = Tensor.from(Int32Array.from([1, 2, 3, 4]), [2, 2]);
    await saveModel(model, out, {
      checkpoint: {
        tensors: new Map([["x.qweight", w]]),
        config: { quantization_config: { quant_method: "toy" }, torch_dtype: "float16" },
        files: { "toy_config.json": "{}\n" },
        metadata: { toy: "1" },
      },
    });
    const f = await io.SafetensorsFile.open(join(out, "model.safetensors"));
    expect(f.keys()).toEqual(["x.qweight"]);
    expect(f.metadata()).toEqual({ format: "pt", toy: "1" });
    await f.close();
    expect(JSON.parse(await readFile(join(out, "config.json"), "utf8")).quantization_config).toEqual({
      quant_method: "toy",
    });
    expect(await readFile(join(out, "toy_config.json"), "utf8")).toBe("{}\n");

    const plain = join(await tempDir(), "p");
    await saveModel(model, plain, { dtype: "float32" });
    expect(
      JSON.parse(await readFile(join(plain, "config.json"), "utf8")).quantization_config,
    ).toBeUndefined();
  });
});

describe("loadPretrained with weight formats", () => {
  it("a format that claims the directory loads it; without one, the quantization is named", async () => {
    const src = createModel(CONFIG, { init: "random" });
    const dir = join(await tempDir(), "m");
    await saveModel(src, dir, { dtype: "float32" });
    const config = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
    config.quantization_config = { quant_method: "toy" };
    await writeFile(join(dir, "config.json"), JSON.stringify(config));

    const err = await loadPretrained(dir).catch((e) => e);
    expect(err).toBeInstanceOf(ModelConfigError);
    expect(err.message).toMatch(/quant_method "toy" is not supported here/);

    const seen: string[] = [];
    const toy: WeightFormat = {
      name: "toy",
      detect: (_d, c) => (c.quantization_config as { quant_method?: string })?.quant_method === "toy",
      async load(model, d) {
        seen.push(d);
        model.loadStateDict(src.stateDict());
      },
    };
    const loaded = await loadPretrained(dir, { formats: [toy], tokenizer: false });
    expect(seen).toEqual([dir]);
    const ids = Tensor.from(Int32Array.from([3, 1, 4]), [1, 3]);
    expect(logits(loaded, ids)).toEqual(logits(src, ids));
  });

  it("a sparse directory without its format is named as such", async () => {
    const dir = join(await tempDir(), "s");
    await saveModel(createModel(CONFIG, { init: "random" }), dir, { dtype: "float32" });
    await writeFile(join(dir, "sparsity_config.json"), "{}");
    await expect(loadPretrained(dir)).rejects.toThrow(/sparsity_config.json.*sparseWeightFormat/);
  });
});
