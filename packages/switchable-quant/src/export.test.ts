import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  dequantizeGptq,
  parseQuantizeConfig,
  readGptqCheckpoint,
  rtnQuantize,
  unpackGptq,
} from "@shrinkray/gptq";
import { io, manualSeed, type Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config.js";
import { exportGptq, toQuantizedWeight, writeGptqCheckpoint } from "./export.js";
import { applyConfig, makeSwitchable } from "./make-switchable.js";
import { TinyNet } from "./testing/tiny-model.js";

const arr = (t: Tensor) => Array.from(t.cast("float32").dataSync() as Float32Array);

function mixedModel() {
  manualSeed(4);
  const model = new TinyNet();
  // The 4-wide head cannot be packed (qzeros need out·bits to fill 32-bit words): skip it.
  const layers = makeSwitchable(model, { bits: 32, dynamic: { "-:head": {} } });
  applyConfig(layers, {
    bits: 4,
    groupSize: 16,
    dynamic: {
      "+:h\\.0\\.mlp\\..*": { bits: 8, group_size: 32 },
      "+:h\\.1\\.attn\\.c_attn": { bits: 3, sym: true },
      "-:h\\.1\\.mlp\\.c_proj": {},
    },
  });
  return { model, layers };
}

describe("export to a mixed-bit GPTQ checkpoint", () => {
  it("writes fake quantization's exact codes, packed by gptq, per layer at its own width", () => {
    const { model, layers } = mixedModel();
    const exp = exportGptq(model);
    for (const [name, layer] of layers) {
      const spec = exp.assignment.get(name);
      if (!spec) {
        expect(exp.tensors.get(`${name}.weight`)!.dtype).toBe("float16");
        expect(exp.tensors.has(`${name}.qweight`)).toBe(false);
        continue;
      }
      expect(exp.tensors.has(`${name}.weight`)).toBe(false);
      const qw = toQuantizedWeight(layer);
      // Fake quantization and the exported grid are one computation ...
      expect(arr(qw.dequantized)).toEqual(arr(layer.quantizedWeight()));
      // ... and the same as gptq's own RTN.
      const rtn = rtnQuantize(layer.weight, {
        bits: spec.bits as 2 | 3 | 4 | 8,
        groupSize: spec.groupSize,
        sym: spec.sym,
      });
      expect(arr(qw.codes)).toEqual(arr(rtn.codes));
      // Reading the checkpoint back gives the codes exactly; the values up to fp16 scales.
      const packed = readGptqCheckpoint((k) => exp.tensors.get(k), name, {
        bits: spec.bits as 2 | 3 | 4 | 8,
        groupSize: spec.groupSize,
        checkpointFormat: exp.quantizeConfig.checkpoint_format,
      });
      expect(Array.from(unpackGptq(packed).codes)).toEqual(arr(qw.codes));
      const back = arr(dequantizeGptq(packed));
      const ref = arr(layer.quantizedWeight());
      const maxAbs = Math.max(...ref.map(Math.abs));
      back.forEach((v, i) => {
        expect(Math.abs(v - ref[i])).toBeLessThan(2e-3 * maxAbs);
      });
    }
    expect(exp.tensors.has("head.weight")).toBe(true);
    expect(exp.tensors.has("h.0.ln_1.weight")).toBe(true);
    expect(exp.tensors.get("h.1.attn.c_attn.qweight")!.shape).toEqual([3, 32]);
  });

  it("describes the widths in quantize_config.json's dynamic, which resolves back to them", () => {
    const { model } = mixedModel();
    const exp = exportGptq(model);
    const c = exp.quantizeConfig;
    expect(parseQuantizeConfig(c).bits).toBe(4);
    expect(c.group_size).toBe(16);
    expect(c.dynamic).toMatchObject({
      "-:head$": {},
      "-:h\\.1\\.mlp\\.c_proj$": {},
      "+:h\\.1\\.attn\\.c_attn$": { bits: 3, group_size: 16, sym: true },
      "+:h\\.0\\.mlp\\.c_fc$": { bits: 8, group_size: 32 },
    });
    const names = [...exp.assignment.keys()];
    const back = resolveConfig(
      { bits: c.bits as 4, groupSize: c.group_size, sym: c.sym, dynamic: c.dynamic as never },
      names,
    );
    expect(back).toEqual(exp.assignment);
  });

  it("refuses widths GPTQ cannot pack, and writes the files atomically", async () => {
    const { model, layers } = mixedModel();
    layers.get("h.0.attn.c_proj")!.bits = 5;
    expect(() => exportGptq(model)).toThrow(
      /GPTQ checkpoints hold 2, 3, 4, 8-bit weights; this layer is at 5 bits/,
    );
    layers.get("h.0.attn.c_proj")!.bits = 4;
    layers.get("h.0.attn.c_proj")!.addAdapters([4], { rank: 2 });
    const dir = await mkdtemp(join(tmpdir(), "sq-export-"));
    try {
      const exp = exportGptq(model);
      // Asymmetric layers: the file stores zero points as they are.
      expect(exp.quantizeConfig.checkpoint_format).toBe("gptq_v2");
      // The directory is created when missing.
      await writeGptqCheckpoint(join(dir, "nested", "out"), exp);
      const back = await io.loadSafetensors(join(dir, "nested", "out", "model.safetensors"));
      expect([...back.keys()].sort()).toEqual([...exp.tensors.keys()].sort());
      const adapters = await io.loadSafetensors(join(dir, "nested", "out", "adapter_model.safetensors"));
      expect([...adapters.keys()].sort()).toEqual([
        "h.0.attn.c_proj.lora_A.weight",
        "h.0.attn.c_proj.lora_B.weight",
      ]);
      const cfg = JSON.parse(await readFile(join(dir, "nested", "out", "quantize_config.json"), "utf8"));
      expect(cfg.quant_method).toBe("gptq");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
