import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createModel } from "@shrinkray/models";
import { io, nn } from "@shrinkray/tensor-cuda";
import { afterAll, describe, expect, it } from "vitest";
import { rtnQuantizeModel } from "./baseline-quantize.js";
import { dequantizeModel } from "./dequantize-model.js";
import { loadQuantized, QuantizedCheckpointError } from "./load-quantized.js";
import { quantizeModel } from "./model-quantize.js";
import { packGptq } from "./pack.js";
import { QUANTIZER_TAG } from "./quant-config.js";
import { QuantLinear } from "./quant-linear.js";
import { rtnQuantize } from "./rtn.js";
import { saveQuantized } from "./save-quantized.js";
import {
  haveModelFixtures,
  loadTiny,
  logitsOf,
  MODEL_FIXTURES,
  MODELS_SKIP,
  randomBatches,
  SMALL_CONFIGS,
  TINY_MODELS,
} from "./test-models.js";

if (!haveModelFixtures) console.warn(MODELS_SKIP);

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "gptq-ckpt-"));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const readJson = async (p: string) => JSON.parse(await readFile(p, "utf8"));

describe.skipIf(!haveModelFixtures)("saveQuantized / loadQuantized", () => {
  for (const name of TINY_MODELS) {
    for (const bits of [4, 3] as const) {
      it(`${name}, ${bits}-bit: the reloaded model's logits are identical`, async () => {
        const model = await loadTiny(name);
        const calib = randomBatches(model.vocabSize, 4, 2, 16, 3);
        const r = quantizeModel(model, calib, { bits, groupSize: 32, descAct: bits === 3 });
        const dir = await tempDir();
        await saveQuantized(dir, model, {
          hfConfig: model.config,
          quantizeConfig: r.config,
          floatDtype: "float32",
        });

        const fresh = createModel(await readJson(join(dir, "config.json")), { init: "empty" });
        const loaded = await loadQuantized(dir, fresh);
        expect(loaded.quantized).toEqual(r.layers.map((l) => l.name));
        const ids = randomBatches(model.vocabSize, 1, 2, 16, 4)[0];
        expect(logitsOf(fresh, ids)).toEqual(logitsOf(model, ids));
      });
    }
  }

  it("writes the AutoGPTQ layout: names, dtypes and shapes", async () => {
    const model = await loadTiny("tiny-llama"); // d 64, ffn 192, 4 heads of 16, 2 kv heads
    const r = quantizeModel(model, randomBatches(101, 2, 2, 16, 5), { bits: 4, groupSize: 32 });
    const dir = await tempDir();
    await saveQuantized(dir, model, { hfConfig: model.config, quantizeConfig: r.config });
    const f = await io.SafetensorsFile.open(join(dir, "model.safetensors"));
    const info = (n: string) => {
      const i = f.info(n);
      return [i.dtype, i.shape];
    };
    const p = "model.layers.1.mlp.down_proj"; // in 192, out 64, 6 groups
    expect(info(`${p}.qweight`)).toEqual(["int32", [(192 * 4) / 32, 64]]);
    expect(info(`${p}.qzeros`)).toEqual(["int32", [6, (64 * 4) / 32]]);
    expect(info(`${p}.scales`)).toEqual(["float16", [6, 64]]);
    expect(info(`${p}.g_idx`)).toEqual(["int32", [192]]);
    expect(info("model.layers.0.self_attn.k_proj.qweight")).toEqual(["int32", [8, 32]]);
    expect(f.has(`${p}.weight`)).toBe(false);
    expect(info("model.embed_tokens.weight")).toEqual(["float16", [101, 64]]);
    expect(info("lm_head.weight")).toEqual(["float16", [101, 64]]);
    expect(info("model.layers.0.input_layernorm.weight")).toEqual(["float16", [64]]);
    expect(f.metadata()).toEqual({ format: "pt" });
    // Symmetric 4-bit: every zero point is 8, stored v1 as 7 in each nibble.
    const z = (await f.tensor(`${p}.qzeros`)).dataSync() as Int32Array;
    expect([...new Set(z)]).toEqual([0x77777777]);
    await f.close();

    const quantizeConfig = await readJson(join(dir, "quantize_config.json"));
    // GPTQModel's keys: format and checkpoint_format, pack_dtype, lm_head, settings under meta,
    // no `dynamic` when there are no overrides.
    expect(quantizeConfig).toEqual({
      bits: 4,
      group_size: 32,
      desc_act: false,
      sym: true,
      lm_head: false,
      method: "gptq",
      quant_method: "gptq",
      format: "gptq",
      checkpoint_format: "gptq",
      pack_dtype: "int32",
      meta: {
        quantizer: [QUANTIZER_TAG],
        damp_percent: 0.01,
        damp_auto_increment: 0,
        static_groups: false,
        true_sequential: true,
        mse: 0,
        act_group_aware: false,
      },
    });
    const config = await readJson(join(dir, "config.json"));
    expect(config.quantization_config).toEqual(quantizeConfig);
    expect(config.model_type).toBe("llama");
    expect(config.torch_dtype).toBe("float16");
  });

  it("stores GPT-2's tied head once and its Conv1D biases beside the packed weights", async () => {
    const model = await loadTiny("tiny-gpt2");
    const r = quantizeModel(model, randomBatches(97, 2, 2, 16, 6), { bits: 4, groupSize: 64 });
    const dir = await tempDir();
    await saveQuantized(dir, model, { hfConfig: model.config, quantizeConfig: r.config });
    const f = await io.SafetensorsFile.open(join(dir, "model.safetensors"));
    expect(f.has("lm_head.weight")).toBe(false);
    expect(f.info("transformer.wte.weight").shape).toEqual([97, 64]);
    expect(f.info("transformer.h.0.attn.c_attn.qweight").shape).toEqual([8, 192]);
    expect(f.info("transformer.h.0.attn.c_attn.bias")).toMatchObject({ dtype: "float16", shape: [192] });
    expect(f.info("transformer.h.0.mlp.c_proj.qweight").shape).toEqual([32, 64]);
    await f.close();
    // float16 storage: the reload matches a model whose float tensors went through float16.
    const fresh = createModel(model.config, { init: "empty" });
    await loadQuantized(dir, fresh);
    const ids = randomBatches(97, 1, 1, 16, 7)[0];
    const a = logitsOf(fresh, ids);
    const b = logitsOf(model, ids);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(2e-2);
  });

  it("round-trips dynamic overrides and skips", async () => {
    const model = await loadTiny("tiny-qwen2");
    const dynamic = {
      "+:.*\\.mlp\\.down_proj": { bits: 8, group_size: 64 },
      "-:model\\.layers\\.1\\.self_attn\\.[qk]_proj": {},
    };
    const r = quantizeModel(model, randomBatches(101, 2, 2, 16, 8), { bits: 4, groupSize: 32, dynamic });
    expect(r.skipped.map((s) => s.name)).toEqual([
      "model.layers.1.self_attn.q_proj",
      "model.layers.1.self_attn.k_proj",
    ]);
    expect(r.layers.filter((l) => l.bits === 8).map((l) => l.name)).toEqual([
      "model.layers.0.mlp.down_proj",
      "model.layers.1.mlp.down_proj",
    ]);
    const dir = await tempDir();
    await saveQuantized(dir, model, {
      hfConfig: model.config,
      quantizeConfig: r.config,
      floatDtype: "float32",
    });
    expect((await readJson(join(dir, "quantize_config.json"))).dynamic).toEqual(dynamic);
    const f = await io.SafetensorsFile.open(join(dir, "model.safetensors"));
    expect(f.info("model.layers.1.self_attn.q_proj.weight").dtype).toBe("float32");
    expect(f.info("model.layers.1.self_attn.q_proj.bias").dtype).toBe("float32");
    expect(f.info("model.layers.0.mlp.down_proj.qweight").shape).toEqual([192 / 4, 64]);
    await f.close();

    const fresh = createModel(model.config, { init: "empty" });
    await loadQuantized(dir, fresh);
    const view = fresh.decoderView();
    expect(view.blocks[1].get("self_attn.q_proj")).toBeInstanceOf(nn.Linear);
    expect(view.blocks[1].get<QuantLinear>("mlp.down_proj").bits).toBe(8);
    const ids = randomBatches(101, 1, 1, 16, 9)[0];
    expect(logitsOf(fresh, ids)).toEqual(logitsOf(model, ids));
  });

  it("writes an asymmetric grid as gptq_v2 (zero points as is) and reads it back, `format` alone included", async () => {
    const model = await loadTiny("tiny-llama");
    const r = quantizeModel(model, randomBatches(101, 2, 2, 16, 11), { bits: 4, groupSize: 32, sym: false });
    const dir = await tempDir();
    await saveQuantized(dir, model, {
      hfConfig: model.config,
      quantizeConfig: r.config,
      floatDtype: "float32",
    });
    const config = await readJson(join(dir, "config.json"));
    expect(config.quantization_config).toMatchObject({
      sym: false,
      format: "gptq_v2",
      checkpoint_format: "gptq_v2",
    });
    const p = "model.layers.0.mlp.down_proj";
    const stored = await io.loadSafetensors(join(dir, "model.safetensors"));
    const layer = model.get<QuantLinear>(p);
    expect(stored.get(`${p}.qzeros`)!.dataSync()).toEqual(layer.qzeros.dataSync());
    const ids = randomBatches(101, 1, 2, 16, 12)[0];
    const fresh = createModel(model.config, { init: "empty" });
    await loadQuantized(dir, fresh);
    expect(logitsOf(fresh, ids)).toEqual(logitsOf(model, ids));
    await expect(loadQuantized(dir, fresh)).rejects.toThrow(/already has QuantLinear layers/);

    // A GPTQModel file with only `format` is v2 too (every zero would be off by one as v1).
    delete config.quantization_config.checkpoint_format;
    await saveConfig(dir, config);
    const again = createModel(model.config, { init: "empty" });
    await loadQuantized(dir, again);
    expect(logitsOf(again, ids)).toEqual(logitsOf(model, ids));

    // Asked for v1, an asymmetric grid is refused before anything is written.
    const v1 = await tempDir();
    await expect(
      saveQuantized(v1, model, {
        hfConfig: model.config,
        quantizeConfig: { ...r.config, checkpointFormat: "gptq" },
      }),
    ).rejects.toThrow(/asymmetric \(sym: false\) grid is written with checkpoint_format "gptq_v2" only/);
    expect(await readdir(v1)).toEqual([]);
  });

  it("refuses to save what transformers would reject: damp_percent 0", async () => {
    const model = await loadTiny("tiny-llama");
    const r = rtnQuantizeModel(model, { bits: 4, groupSize: 32, dampPercent: 0 });
    await expect(
      saveQuantized(await tempDir(), model, { hfConfig: model.config, quantizeConfig: r.config }),
    ).rejects.toThrow(/damp_percent must be strictly between 0 and 1/);
  });

  it("reads a quantized LM head (lm_head: true) and a file without g_idx", async () => {
    const model = createModel(SMALL_CONFIGS.llama, { init: "random" }); // vocab 40 packs at 4 bits
    rtnQuantizeModel(model, { bits: 4, groupSize: 32 });
    const head = rtnQuantize(model.get<nn.Linear>("lm_head").weight, { bits: 4, groupSize: 32, sym: true });
    model.replace("lm_head", new QuantLinear(packGptq(head)));
    const dir = await tempDir();
    await saveQuantized(dir, model, {
      hfConfig: model.config,
      quantizeConfig: { bits: 4, groupSize: 32 },
      floatDtype: "float32",
    });
    const config = await readJson(join(dir, "config.json"));
    expect(config.quantization_config.lm_head).toBe(true);
    const tensors = await io.loadSafetensors(join(dir, "model.safetensors"));
    expect(tensors.has("lm_head.qweight")).toBe(true);
    expect(tensors.has("lm_head.weight")).toBe(false);
    // Without act-order g_idx is i // group_size; some writers leave it out.
    for (const k of [...tensors.keys()]) if (k.endsWith(".g_idx")) tensors.delete(k);
    await io.saveSafetensors(join(dir, "model.safetensors"), tensors);
    const fresh = createModel(model.config, { init: "empty" });
    const loaded = await loadQuantized(dir, fresh);
    expect(loaded.quantized).toContain("lm_head");
    expect(fresh.get("lm_head")).toBeInstanceOf(QuantLinear);
    const ids = randomBatches(40, 1, 2, 8, 14)[0];
    expect(logitsOf(fresh, ids)).toEqual(logitsOf(model, ids));
  });

  it("refuses a config that disagrees with the layers, and a checkpoint missing tensors", async () => {
    const model = await loadTiny("tiny-llama");
    const r = quantizeModel(model, randomBatches(101, 1, 1, 16, 10), { bits: 4, groupSize: 32 });
    const dir = await tempDir();
    await expect(
      saveQuantized(dir, model, { hfConfig: model.config, quantizeConfig: { ...r.config, bits: 3 } }),
    ).rejects.toThrow(/model.layers.0.self_attn.q_proj has bits=4.*gives it bits=3/);
    await expect(
      saveQuantized(dir, await loadTiny("tiny-llama"), { hfConfig: model.config, quantizeConfig: r.config }),
    ).rejects.toThrow(/no QuantLinear layers/);

    // The float fixture as a "quantized" checkpoint: the config asks for packed tensors it lacks.
    const fresh = createModel(model.config, { init: "empty" });
    const before = fresh.stateDict().get("model.norm.weight")!.dataSync().slice();
    const fake = await tempDir();
    const tensors = await io.loadSafetensors(join(MODEL_FIXTURES, "tiny-llama", "model.safetensors"));
    await io.saveSafetensors(join(fake, "model.safetensors"), tensors);
    await saveConfig(fake, {
      ...model.config,
      quantization_config: { quant_method: "gptq", bits: 4, group_size: 32 },
    });
    await expect(loadQuantized(fake, fresh)).rejects.toThrow(QuantizedCheckpointError);
    await expect(loadQuantized(fake, fresh)).rejects.toThrow(/model.layers.0.self_attn.q_proj.qweight/);
    // Nothing in the model changed.
    expect(fresh.decoderView().blocks[0].get("self_attn.q_proj")).toBeInstanceOf(nn.Linear);
    expect(fresh.stateDict().get("model.norm.weight")!.dataSync()).toEqual(before);
  });

  it("dequantizeModel turns every QuantLinear back into a float Linear computing the same", async () => {
    const model = await loadTiny("tiny-llama");
    rtnQuantizeModel(model, { bits: 4, groupSize: 32 });
    const ids = randomBatches(101, 1, 2, 16, 15)[0];
    const before = logitsOf(model, ids);
    const names = dequantizeModel(model);
    expect(names).toHaveLength(14);
    expect(model.modules().some((m) => m instanceof QuantLinear)).toBe(false);
    expect(model.get(names[0])).toBeInstanceOf(nn.Linear);
    const after = logitsOf(model, ids);
    let diff = 0;
    for (let i = 0; i < after.length; i++) diff = Math.max(diff, Math.abs(after[i] - before[i]));
    expect(diff).toBeLessThan(1e-5);
  });
});

async function saveConfig(dir: string, config: unknown): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  await writeFile(join(dir, "config.json"), JSON.stringify(config));
}
