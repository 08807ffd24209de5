import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { io, type nn, noGrad, type Tensor } from "@shrinkray/tensor-cuda";
import { gptqCheckpointTensors } from "./checkpoint.js";
import { type CheckpointNaming, namingOf } from "./checkpoint-names.js";
import { type DynamicConfig, DynamicRules } from "./dynamic-config.js";
import { writeJsonAtomic } from "./json-file.js";
import type { ModelQuantizeConfig } from "./model-quantize.js";
import { resolveConfig } from "./model-quantize.js";
import { checkWritable, type QuantizeConfigJson, toQuantizeConfigJson } from "./quant-config.js";
import { QuantLinear } from "./quant-linear.js";

export type FloatDtype = "float16" | "bfloat16" | "float32";

export interface GptqCheckpointOptions extends CheckpointNaming {
  /** What the model was quantized with (quantizeModel's `result.config`). */
  quantizeConfig: ModelQuantizeConfig;
  /**
   * Storage dtype of every float tensor, quantized layers' biases included (scales are float16
   * whatever this is). Default: the model config's `torch_dtype` when it is one of these, else
   * float16 as AutoGPTQ.
   */
  floatDtype?: FloatDtype;
  /** config.json's object, for its torch_dtype (the default floatDtype). */
  hfConfig?: Record<string, unknown>;
}

export interface SaveQuantizedOptions extends GptqCheckpointOptions {
  /** The model's config.json object; written back with `quantization_config` added. */
  hfConfig: Record<string, unknown>;
  /** Largest shard in bytes (default 5 GB, as transformers). */
  maxShardBytes?: number;
}

/**
 * A checkpoint's contents before they are written: the tensors under their file names, the
 * fields config.json gains, and the further files. models' saveModel takes this shape to write
 * a complete model directory; saveQuantized writes it on its own.
 */
export interface CheckpointContents {
  tensors: Map<string, Tensor>;
  config: Record<string, unknown>;
  files: Record<string, string>;
}

/** quantize_config.json and config.json's `quantization_config`, as GPTQModel writes them. */
export function quantizationConfigJson(
  config: ModelQuantizeConfig,
  opts: { lmHead?: boolean } = {},
): QuantizeConfigJson {
  const { base, resolved } = resolveConfig(config);
  return toQuantizeConfigJson(
    { ...base, lmHead: opts.lmHead ?? base.lmHead },
    { dynamic: resolved.dynamic, source: "quantizeConfig" },
  );
}

/**
 * The GPTQ checkpoint of a model whose quantized layers are QuantLinear, in the AutoGPTQ /
 * GPTQModel layout: every QuantLinear as `<name>.qweight` I32 [in·bits/32, out], `.qzeros` I32
 * [groups, out·bits/32] (v1 for "gptq": stored zero − 1; v2 for "gptq_v2": the zero itself),
 * `.scales` F16 [groups, out], `.g_idx` I32 [in] and its `.bias`; every other parameter under its
 * Hugging Face name in `floatDtype`. config gains `quantization_config` and `torch_dtype`, and
 * quantize_config.json goes beside it. A config another loader would refuse or misread
 * (damp_percent 0, an asymmetric layer in a v1 file, layers that disagree with `dynamic`) is
 * refused here, before anything is written.
 */
export function gptqCheckpoint(
  model: nn.Module<any[], any>,
  opts: GptqCheckpointOptions,
): CheckpointContents {
  const where = "gptqCheckpoint";
  const quant = new Map(
    model.namedModules().filter((e): e is [string, QuantLinear] => e[1] instanceof QuantLinear),
  );
  if (quant.size === 0)
    throw new TypeError(`${where}: the model has no QuantLinear layers (quantize it with mode "packed")`);
  const lmHead = [...quant.keys()].some((n) => n === "lm_head" || n.endsWith(".lm_head"));
  const qjson = quantizationConfigJson(opts.quantizeConfig, { lmHead });
  const format = qjson.checkpoint_format;
  checkAgainstConfig(quant, opts.quantizeConfig, qjson.dynamic ?? null, where);

  const naming = namingOf(model, opts);
  const dtype = opts.floatDtype ?? floatDtypeOf(opts.hfConfig);
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
          for (const [k, v] of gptqCheckpointTensors(owner(name), layer.packed(), format)) tensors.set(k, v);
          if (layer.bias) tensors.set(`${owner(name)}.bias`, asFloat(layer.bias));
        }
        continue;
      }
      if (seen.has(t)) continue;
      seen.add(t);
      tensors.set(name, asFloat(naming.toCheckpoint(name, t.detach())));
    }
  });
  return {
    tensors,
    config: { quantization_config: qjson, torch_dtype: dtype },
    files: { "quantize_config.json": `${JSON.stringify(qjson, null, 2)}\n` },
  };
}

/** The float dtype a config.json asks for, when it is one a GPTQ file can hold. */
export function floatDtypeOf(hfConfig: Record<string, unknown> | undefined): FloatDtype {
  const t = hfConfig?.torch_dtype ?? hfConfig?.dtype;
  return t === "float32" || t === "bfloat16" || t === "float16" ? t : "float16";
}

/**
 * Writes gptqCheckpoint's contents into `dir` (created if missing): the weights, then
 * quantize_config.json, then config.json last, each file atomically, so a directory whose
 * config.json names GPTQ always has the weights it describes. For a complete model directory
 * (tokenizer, generation config, model card, written as a whole), use models' saveModel with
 * gptqCheckpoint's contents.
 */
export async function saveQuantized(
  dir: string,
  model: nn.Module<any[], any>,
  opts: SaveQuantizedOptions,
): Promise<void> {
  const contents = gptqCheckpoint(model, opts);
  await mkdir(dir, { recursive: true });
  await io.saveSharded(dir, contents.tensors, {
    maxShardBytes: opts.maxShardBytes,
    metadata: { format: "pt" },
  });
  for (const [name, text] of Object.entries(contents.files)) await io.writeBytesAtomic(join(dir, name), text);
  await writeJsonAtomic(join(dir, "config.json"), { ...opts.hfConfig, ...contents.config });
}

/** A file whose config disagrees with its layers would load wrongly; refuse to write it. */
function checkAgainstConfig(
  quant: Map<string, QuantLinear>,
  config: ModelQuantizeConfig,
  dynamic: DynamicConfig | null,
  where: string,
): void {
  const { base } = resolveConfig(config);
  const rules = new DynamicRules(dynamic, { source: "quantizeConfig.dynamic" });
  for (const [name, layer] of quant) {
    const cfg = rules.resolve(name, base);
    if (!cfg) throw new TypeError(`${where}: ${name} is quantized but quantizeConfig.dynamic skips it`);
    if (cfg.bits !== layer.bits || cfg.groupSize !== layer.groupSize) {
      throw new TypeError(
        `${where}: ${name} has bits=${layer.bits}, group_size=${layer.groupSize} but quantizeConfig gives it bits=${cfg.bits}, group_size=${cfg.groupSize}`,
      );
    }
    checkWritable(cfg, `${where}: ${name}`);
  }
}
