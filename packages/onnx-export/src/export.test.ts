import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { rtnQuantizeModel, saveQuantized } from "@shrinkray/gptq";
import { createModel, loadPretrained } from "@shrinkray/models";
import { nn, type Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { UnsupportedArchitectureError, UnsupportedLayerError } from "./errors.js";
import { DATA_FILE, exportOnnx, MODEL_FILE } from "./export.js";
import { loadForExport } from "./load.js";
import { compareWithOrt, scratch, TOY } from "./test-helpers.js";

describe("the exported folder", () => {
  it("is a complete transformers.js model folder, weights as external data", async () => {
    const model = await loadPretrained(TOY);
    const out = join(scratch("folder"), "out");
    const r = await exportOnnx(model, out);
    for (const f of [
      MODEL_FILE,
      DATA_FILE,
      "config.json",
      "generation_config.json",
      "tokenizer.json",
      "tokenizer_config.json",
      "README.md",
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    // The graph holds structure only; the weights (≈3.8 MB as float32) are in the data file.
    expect(r.graphBytes).toBeLessThan(200_000);
    expect(r.dataBytes).toBeGreaterThan(3_800_000);
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(config.model_type).toBe("llama");
    expect(config["transformers.js_config"]).toEqual({ dtype: "fp32", use_external_data_format: true });
    expect(readFileSync(join(out, "tokenizer.json"))).toEqual(readFileSync(join(TOY, "tokenizer.json")));
    // Nothing but the folder itself is left beside it.
    expect(readdirSync(dirname(out))).toEqual(["out"]);
  });

  it("replaces an existing folder only when asked, atomically", async () => {
    const model = await loadPretrained(TOY);
    const out = join(scratch("exists"), "out");
    await mkdir(out);
    await writeFile(join(out, "keep.txt"), "old");
    await expect(exportOnnx(model, out)).rejects.toThrow(/exists/);
    expect(readdirSync(out)).toEqual(["keep.txt"]);
    await exportOnnx(model, out, { overwrite: true });
    expect(existsSync(join(out, "keep.txt"))).toBe(false);
    expect(existsSync(join(out, MODEL_FILE))).toBe(true);
    expect(readdirSync(dirname(out))).toEqual(["out"]);
  });

  it("a GPTQ checkpoint directory loads with its packed layers and exports them as MatMulNBits", async () => {
    const model = await loadPretrained(TOY);
    const q = rtnQuantizeModel(model, { bits: 4, groupSize: 64, sym: false });
    const dir = join(scratch("gptq-dir"), "toy-gptq");
    await saveQuantized(dir, model, {
      hfConfig: model.config,
      quantizeConfig: q.config,
      floatDtype: "float32",
    });
    for (const [name, bytes] of model.sideFiles) await writeFile(join(dir, name), bytes);
    const loaded = await loadForExport(dir);
    const out = join(scratch("gptq-out"), "onnx");
    const r = await exportOnnx(loaded, out);
    expect(r.layers.filter((l) => l.kind === "matmulnbits")).toHaveLength(28);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).quantization_config).toBeUndefined();
    expect(existsSync(join(out, "tokenizer.json"))).toBe(true);
    const c = await compareWithOrt(loaded, out, [[1, 17, 42, 9, 25]], 2);
    for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(1e-3);
  });
});

describe("what cannot be exported is refused by name, and nothing is written", () => {
  it("an architecture without a graph (OPT, BLOOM)", async () => {
    const opt = createModel(
      {
        model_type: "opt",
        vocab_size: 50,
        hidden_size: 32,
        ffn_dim: 64,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        max_position_embeddings: 32,
        word_embed_proj_dim: 32,
      },
      { init: "random" },
    );
    const out = join(scratch("opt"), "out");
    const err = await exportOnnx(opt, out).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedArchitectureError);
    expect(err.message).toMatch(/"opt" is not supported.*llama, mistral, qwen2, qwen3, gpt2/);
    expect(readdirSync(dirname(out))).toEqual([]);
  });

  it("a layer whose forward is not known (named with its path and class)", async () => {
    class ScaledLinear extends nn.Module {
      weight: Tensor;
      constructor(inner: nn.Linear) {
        super();
        this.weight = this.param("weight", inner.weight);
      }
      forward(x: Tensor): Tensor {
        return x.matmul(this.weight.transpose(0, 1)).mul(2);
      }
    }
    const model = await loadPretrained(TOY);
    const name = "model.layers.1.mlp.up_proj";
    model.replace(name, new ScaledLinear(model.get<nn.Linear>(name)));
    const out = join(scratch("layer"), "out");
    const err = await exportOnnx(model, out).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedLayerError);
    expect(err.message).toContain(`layer ${name} (ScaledLinear)`);
    expect(readdirSync(dirname(out))).toEqual([]);
  });

  it("a subclass of Linear that changes its forward is not taken for a plain Linear", async () => {
    class NoisyLinear extends nn.Linear {
      override forward(x: Tensor): Tensor {
        return super.forward(x).add(1);
      }
    }
    const model = await loadPretrained(TOY);
    const name = "model.layers.0.self_attn.q_proj";
    const layer = new NoisyLinear(128, 128, { bias: false });
    model.replace(name, layer);
    const err = await exportOnnx(model, join(scratch("noisy"), "out")).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedLayerError);
    expect(err.message).toContain("NoisyLinear");
  });

  it("a sparse-layers checkpoint directory points at how to export it", async () => {
    const dir = scratch("sparse-dir");
    await writeFile(join(dir, "sparsity_config.json"), "{}");
    await expect(loadForExport(dir)).rejects.toThrow(/loadSparseCheckpoint.*--base/);
  });
});
