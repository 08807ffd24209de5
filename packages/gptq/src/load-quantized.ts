import { join } from "node:path";
import { io, type nn, noGrad, ShapeError, type Tensor } from "@shrinkray/tensor-cuda";
import { allBlockLinears, type BlockLinear, type DecoderModel } from "./block-linears.js";
import { readGptqCheckpoint } from "./checkpoint.js";
import { type CheckpointNaming, namingOf } from "./checkpoint-names.js";
import { type DynamicConfig, DynamicRules } from "./dynamic-config.js";
import { readJsonIfExists } from "./json-file.js";
import type { ResolvedModelConfig } from "./model-quantize.js";
import { groupCount } from "./options.js";
import { convertZeros } from "./pack.js";
import { type GptqConfig, parseQuantizeConfig, QuantizeConfigError } from "./quant-config.js";
import { QuantLinear } from "./quant-linear.js";

export class QuantizedCheckpointError extends Error {
  override name = "QuantizedCheckpointError";
}

export interface LoadQuantizedResult {
  config: ResolvedModelConfig;
  /** Names of the layers now QuantLinear. */
  quantized: string[];
}

const QUANT_TENSORS = ["qweight", "qzeros", "scales", "g_idx"] as const;

/**
 * Loads a GPTQ checkpoint (ours, AutoGPTQ's or GPTQModel's "gptq"/"gptq_v2" format) into a
 * freshly built float model of the same architecture: reads `quantization_config` from
 * config.json (else quantize_config.json), replaces every block Linear the config quantizes
 * (all of them but those a `dynamic` "-:" rule skips) with a QuantLinear holding the packed
 * tensors (zero points v1 on disk → v2 in memory), and copies every other tensor into the
 * model. Every tensor is checked to be present, and the quantized ones to have the right
 * dtype and shape, before anything in the model changes.
 */
export async function loadQuantized(
  dir: string,
  model: DecoderModel & nn.Module<any[], any>,
  opts: CheckpointNaming = {},
): Promise<LoadQuantizedResult> {
  // Packed buffers of a model quantized already would take v1 zero points as if they were v2.
  if (model.modules().some((m) => m instanceof QuantLinear))
    throw new TypeError(
      `loadQuantized(${dir}): the model already has QuantLinear layers; pass a freshly built float model`,
    );
  const { base, rules, resolved } = await readQuantizationConfig(dir);
  const naming = namingOf(model, opts);
  const view = model.decoderView();
  const reader = await io.openCheckpoint(dir);
  try {
    const layers = allBlockLinears(view).flatMap((lin) => {
      const cfg = rules.resolve(lin.name, base);
      return cfg ? [{ lin, cfg }] : [];
    });
    const replaced = new Set(layers.map((l) => l.lin.name));
    const floats = floatPlan(model, replaced, naming.checkpointNames, reader);
    const missing = [
      ...layers.flatMap(({ lin }) =>
        [...QUANT_TENSORS, ...(lin.module.bias ? ["bias"] : [])]
          .map((t) => `${lin.name}.${t}`)
          .filter((n) => !reader.has(n)),
      ),
      ...floats.filter((f) => f.stored === null).map((f) => f.name),
    ];
    const size = (shape: number[]) => shape.reduce((a, d) => a * d, 1);
    const wrong = floats.filter(
      (f) => f.stored !== null && size(reader.info(f.stored).shape) !== f.target.size,
    );
    if (wrong.length) {
      const f = wrong[0];
      throw new ShapeError(
        `${dir}: ${f.stored} is [${reader.info(f.stored!).shape.join(", ")}], the model's ${f.name} is [${f.target.shape.join(", ")}]${wrong.length > 1 ? ` (and ${wrong.length - 1} more)` : ""}`,
      );
    }
    if (missing.length) {
      throw new QuantizedCheckpointError(
        `${dir}: missing ${missing.length} tensor(s) the model and its quantization_config need: ${missing.join(", ")}`,
      );
    }
    const packed = [];
    for (const { lin, cfg } of layers) packed.push(await readLayer(reader, lin, cfg, dir));
    for (const { lin, layer } of packed) view.blocks[lin.block].replace(lin.path, layer);
    for (const f of floats) {
      const raw = await reader.tensor(f.stored!, { dtype: "float32" });
      noGrad(() => {
        const value = naming.fromCheckpoint(f.name, raw);
        if (value.rank !== f.target.rank || value.shape.some((d, i) => d !== f.target.shape[i]))
          throw new ShapeError(
            `${dir}: ${f.stored} is [${value.shape.join(", ")}], the model's ${f.name} is [${f.target.shape.join(", ")}]`,
          );
        f.target.assign(value);
      });
    }
    return { config: resolved, quantized: layers.map((l) => l.lin.name) };
  } finally {
    await reader.close();
  }
}

/** The checkpoint's GPTQ settings and `dynamic` rules. */
export async function readQuantizationConfig(
  dir: string,
): Promise<{ base: GptqConfig; rules: DynamicRules; resolved: ResolvedModelConfig }> {
  const configPath = join(dir, "config.json");
  const config = (await readJsonIfExists(configPath)) as Record<string, unknown> | null;
  let json: unknown = config?.quantization_config;
  let source = `${configPath} quantization_config`;
  if (json === undefined || json === null) {
    source = join(dir, "quantize_config.json");
    json = await readJsonIfExists(source);
  }
  if (json === undefined || json === null)
    throw new QuantizeConfigError(
      `${dir}: no quantization_config in config.json and no quantize_config.json`,
    );
  const base = parseQuantizeConfig(json, source);
  const dynamic = ((json as Record<string, unknown>).dynamic ?? null) as DynamicConfig | null;
  const rules = new DynamicRules(dynamic, { source: `${source}.dynamic`, strict: false });
  return { base, rules, resolved: { ...base, dynamic: rules.size ? dynamic : null } };
}

interface FloatTarget {
  name: string;
  target: Tensor;
  stored: string | null;
}

/** The float tensors to copy: the model's state minus the replaced layers, tied tensors once. */
function floatPlan(
  model: nn.Module<any[], any>,
  replaced: Set<string>,
  names: (name: string) => string[],
  reader: io.TensorReader,
): FloatTarget[] {
  const plan: FloatTarget[] = [];
  const unresolved: FloatTarget[] = [];
  const planned = new Set<Tensor>();
  for (const [name, target] of model.stateDict()) {
    const cut = name.lastIndexOf(".");
    if (replaced.has(name.slice(0, cut))) continue;
    const stored = names(name).find((n) => reader.has(n)) ?? null;
    if (stored === null) unresolved.push({ name, target, stored });
    else if (!planned.has(target)) {
      plan.push({ name, target, stored });
      planned.add(target);
    }
  }
  // A tied tensor (lm_head.weight = embed_tokens.weight) is loaded through its other name.
  return [...plan, ...unresolved.filter((u) => !planned.has(u.target))];
}

async function readLayer(
  reader: io.TensorReader,
  lin: BlockLinear,
  cfg: GptqConfig,
  dir: string,
): Promise<{ lin: BlockLinear; layer: QuantLinear }> {
  const t = new Map<string, Tensor>();
  for (const n of QUANT_TENSORS) {
    let v = await reader.tensor(`${lin.name}.${n}`);
    // readGptqCheckpoint reads v1 zero points; a gptq_v2 file stores them as is.
    if (n === "qzeros" && cfg.checkpointFormat === "gptq_v2" && v.dtype === "int32")
      v = convertZeros(v, cfg.bits, "v1");
    t.set(`${lin.name}.${n}`, v);
  }
  const packed = readGptqCheckpoint((n) => t.get(n), lin.name, { bits: cfg.bits, groupSize: cfg.groupSize });
  const { inFeatures, outFeatures } = lin.module;
  const groups = groupCount(inFeatures, cfg.groupSize);
  const got = [packed.gIdx.shape[0], packed.qweight.shape[1], packed.scales.shape[0]];
  if (got[0] !== inFeatures || got[1] !== outFeatures || got[2] !== groups) {
    throw new ShapeError(
      `${dir}: ${lin.name} holds in=${got[0]}, out=${got[1]}, groups=${got[2]}; the model's layer is in=${inFeatures}, out=${outFeatures} with group_size ${cfg.groupSize} (${groups} groups)`,
    );
  }
  const bias = lin.module.bias ? await reader.tensor(`${lin.name}.bias`, { dtype: "float32" }) : null;
  const layer = new QuantLinear(packed, bias).to(lin.module.weight.device);
  return { lin, layer };
}
