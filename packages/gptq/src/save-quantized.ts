import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { io, type nn, noGrad, type Tensor } from "@shrinkray/tensor-cuda";
import { gptqCheckpointTensors } from "./checkpoint.js";
import { type CheckpointNaming, namingOf } from "./checkpoint-names.js";
import { type DynamicConfig, DynamicRules } from "./dynamic-config.js";
import { writeJsonAtomic } from "./json-file.js";
import type { ModelQuantizeConfig } from "./model-quantize.js";
import { resolveConfig } from "./model-quantize.js";
import { type QuantizeConfigJson, toQuantizeConfigJson } from "./quant-config.js";
import { QuantLinear } from "./quant-linear.js";

export interface SaveQuantizedOptions extends CheckpointNaming {
  /** The model's config.json object; written back with `quantization_config` added. */
  hfConfig: Record<string, unknown>;
  /** What the model was quantized with (quantizeModel's `result.config`). */
  quantizeConfig: ModelQuantizeConfig;
  /** Storage dtype of every float tensor, quantized layers' biases included; default float16, as AutoGPTQ. */
  floatDtype?: "float16" | "float32";
  /** Largest shard in bytes (default 5 GB, as transformers). */
  maxShardBytes?: number;
}

/** quantize_config.json and config.json's `quantization_config`: GPTQModel's fields, `dynamic` included. */
export function quantizationConfigJson(config: ModelQuantizeConfig): QuantizeConfigJson & {
  dynamic: DynamicConfig | null;
} {
  const { base, resolved } = resolveConfig(config);
  return { ...toQuantizeConfigJson(base), dynamic: resolved.dynamic };
}

/**
 * Writes a GPTQ checkpoint in the AutoGPTQ / GPTQModel layout ("gptq" format): every QuantLinear
 * as `<name>.qweight` I32 [in·bits/32, out], `.qzeros` I32 [groups, out·bits/32] (v1: stored
 * zero − 1), `.scales` F16 [groups, out], `.g_idx` I32 [in] and its `.bias`; every other
 * parameter under its Hugging Face name in `floatDtype`; then quantize_config.json and
 * config.json with `quantization_config`. Each file is written atomically, config.json last, so
 * a directory whose config.json names GPTQ always has the weights it describes.
 */
export async function saveQuantized(
  dir: string,
  model: nn.Module<any[], any>,
  opts: SaveQuantizedOptions,
): Promise<void> {
  const where = `saveQuantized(${dir})`;
  const qjson = quantizationConfigJson(opts.quantizeConfig);
  if (qjson.checkpoint_format !== "gptq")
    throw new TypeError(`${where}: only checkpoint_format "gptq" (v1 zero points) is written`);
  const quant = new Map(
    model.namedModules().filter((e): e is [string, QuantLinear] => e[1] instanceof QuantLinear),
  );
  if (quant.size === 0)
    throw new TypeError(`${where}: the model has no QuantLinear layers (quantize it with mode "packed")`);
  checkAgainstConfig(quant, opts.quantizeConfig, where);

  const naming = namingOf(model, opts);
  const dtype = opts.floatDtype ?? "float16";
  const asFloat = (t: Tensor) => (t.dtype === dtype ? t : t.cast(dtype));
  const owner = (name: string) => {
    const cut = name.lastIndexOf(".");
    return cut < 0 ? "" : name.slice(0, cut);
  };
  const tensors = new Map<string, Tensor>();
  const seen = new Set<Tensor>();
  noGrad(() => {
    // stateDict order; a tied tensor is stored once, under its first name (the embedding's,
    // the name transformers keeps).
    for (const [name, t] of model.stateDict()) {
      const layer = quant.get(owner(name));
      if (layer) {
        if (name.endsWith(".qweight")) {
          for (const [k, v] of gptqCheckpointTensors(owner(name), layer.packed())) tensors.set(k, v);
          if (layer.bias) tensors.set(`${owner(name)}.bias`, asFloat(layer.bias));
        }
        continue;
      }
      if (seen.has(t)) continue;
      seen.add(t);
      tensors.set(name, asFloat(naming.toCheckpoint(name, t.detach())));
    }
  });
  await mkdir(dir, { recursive: true });
  await io.saveSharded(dir, tensors, { maxShardBytes: opts.maxShardBytes, metadata: { format: "pt" } });
  await writeJsonAtomic(join(dir, "quantize_config.json"), qjson);
  await writeJsonAtomic(join(dir, "config.json"), {
    ...opts.hfConfig,
    quantization_config: qjson,
    torch_dtype: dtype,
  });
}

/** A file whose config disagrees with its layers would load wrongly; refuse to write it. */
function checkAgainstConfig(
  quant: Map<string, QuantLinear>,
  config: ModelQuantizeConfig,
  where: string,
): void {
  const { base } = resolveConfig(config);
  const rules = new DynamicRules(config.dynamic, { source: "quantizeConfig.dynamic" });
  for (const [name, layer] of quant) {
    const cfg = rules.resolve(name, base);
    if (!cfg) throw new TypeError(`${where}: ${name} is quantized but quantizeConfig.dynamic skips it`);
    if (cfg.bits !== layer.bits || cfg.groupSize !== layer.groupSize) {
      throw new TypeError(
        `${where}: ${name} has bits=${layer.bits}, group_size=${layer.groupSize} but quantizeConfig gives it bits=${cfg.bits}, group_size=${cfg.groupSize}`,
      );
    }
  }
}
