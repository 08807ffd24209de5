import { access } from "node:fs/promises";
import { join } from "node:path";
import { io, nn, noGrad, ShapeError, type Tensor } from "@shrinkray/tensor-cuda";
import { allBlockLinears, type DecoderModel } from "./block-linears.js";
import { readGptqCheckpoint } from "./checkpoint.js";
import { type CheckpointNaming, namingOf } from "./checkpoint-names.js";
import { type DynamicConfig, DynamicRules } from "./dynamic-config.js";
import { readJsonIfExists } from "./json-file.js";
import type { ResolvedModelConfig } from "./model-quantize.js";
import { groupCount } from "./options.js";
import type { V1ZeroRule } from "./pack.js";
import {
  type CheckpointProvenance,
  type GptqConfig,
  parseQuantizeConfigFull,
  QuantizeConfigError,
} from "./quant-config.js";
import { QuantLinear } from "./quant-linear.js";

export class QuantizedCheckpointError extends Error {
  override name = "QuantizedCheckpointError";
}

export interface LoadQuantizedResult {
  config: ResolvedModelConfig;
  /** Names of the layers now QuantLinear. */
  quantized: string[];
}

/** A Linear the checkpoint quantizes: where it sits and how to put a QuantLinear there. */
interface Target {
  name: string;
  module: nn.Linear;
  cfg: GptqConfig;
  install(layer: QuantLinear): unknown;
}

/**
 * Loads a GPTQ checkpoint (ours, AutoGPTQ's or GPTQModel's; "gptq" v1 or "gptq_v2" zero points,
 * symmetric or not, act-order `g_idx`, per-module `dynamic` bits and skips, the LM head quantized
 * or not) into a model of the same architecture built with empty (or any) float weights: reads
 * `quantization_config` from config.json (else quantize_config.json), replaces every Linear the
 * config quantizes with a QuantLinear holding the packed tensors (v2 zero points in memory), and
 * copies every other tensor into the model. Every tensor is checked to be present, and the
 * quantized ones to have the right dtype and shape, before anything in the model changes.
 */
export async function loadQuantized(
  dir: string,
  model: DecoderModel & nn.Module<any[], any>,
  opts: CheckpointNaming = {},
): Promise<LoadQuantizedResult> {
  if (model.modules().some((m) => m instanceof QuantLinear))
    throw new TypeError(
      `loadQuantized(${dir}): the model already has QuantLinear layers; pass a freshly built float model`,
    );
  const { base, rules, resolved, provenance } = await readQuantizationConfig(dir);
  const v1Rule: V1ZeroRule = provenance.quantizers.some(([tool]) => tool === "gptqmodel")
    ? "gptqmodel"
    : "autogptq";
  const naming = namingOf(model, opts);
  const targets = quantizedTargets(model, base, rules, dir);
  const reader = await io.openCheckpoint(dir);
  try {
    const replaced = new Set(targets.map((t) => t.name));
    const floats = floatPlan(model, replaced, naming.checkpointNames, reader);
    const missing = [
      ...targets.flatMap(({ name, module, cfg }) =>
        ["qweight", "qzeros", "scales", ...(cfg.descAct ? ["g_idx"] : []), ...(module.bias ? ["bias"] : [])]
          .map((t) => `${name}.${t}`)
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
    const layers: QuantLinear[] = [];
    for (const t of targets) layers.push(await readLayer(reader, t, v1Rule, dir));
    for (const [i, t] of targets.entries()) t.install(layers[i]);
    const scratch = new io.ReadScratch();
    const layoutMatches = (name: string): boolean =>
      typeof (model as { checkpointLayoutMatches?: unknown }).checkpointLayoutMatches === "function" &&
      (model as unknown as { checkpointLayoutMatches(n: string): boolean }).checkpointLayoutMatches(name);
    for (const f of floats) {
      // Straight into the parameter (float32, or the width a model built with dtype "auto" keeps).
      if (layoutMatches(f.name) && (await io.readIntoTensor(reader, f.stored!, f.target, scratch))) continue;
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
    return { config: resolved, quantized: targets.map((t) => t.name) };
  } finally {
    await reader.close();
  }
}

/**
 * The Linears to replace: every decoder-block Linear the `dynamic` rules do not skip, and the
 * LM head (`lm_head`) when the config says `lm_head: true`.
 */
function quantizedTargets(
  model: DecoderModel & nn.Module<any[], any>,
  base: GptqConfig,
  rules: DynamicRules,
  dir: string,
): Target[] {
  const view = model.decoderView();
  const targets: Target[] = allBlockLinears(view).flatMap((lin) => {
    const cfg = rules.resolve(lin.name, base);
    return cfg
      ? [
          {
            name: lin.name,
            module: lin.module,
            cfg,
            install: (l) => view.blocks[lin.block].replace(lin.path, l),
          },
        ]
      : [];
  });
  if (base.lmHead) {
    const head = model.namedModules().find(([n]) => n === "lm_head")?.[1];
    if (!(head instanceof nn.Linear))
      throw new QuantizedCheckpointError(
        `${dir}: quantization_config has lm_head: true but the model has no Linear named "lm_head"`,
      );
    const cfg = rules.resolve("lm_head", base);
    if (cfg)
      targets.push({ name: "lm_head", module: head, cfg, install: (l) => model.replace("lm_head", l) });
  }
  return targets;
}

/** The checkpoint's GPTQ settings, its `dynamic` rules and who wrote it. */
export async function readQuantizationConfig(dir: string): Promise<{
  base: GptqConfig;
  rules: DynamicRules;
  resolved: ResolvedModelConfig;
  provenance: CheckpointProvenance;
}> {
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
  const { config: base, provenance } = parseQuantizeConfigFull(json, source);
  const dynamic = ((json as Record<string, unknown>).dynamic ?? null) as DynamicConfig | null;
  const rules = new DynamicRules(dynamic, { source: `${source}.dynamic`, strict: false });
  return { base, rules, resolved: { ...base, dynamic: rules.size ? dynamic : null }, provenance };
}

/** Whether `dir` holds a GPTQ checkpoint: config.json's quant_method, or AutoGPTQ's quantize_config.json. */
export async function isGptqDir(dir: string, config?: Record<string, unknown> | null): Promise<boolean> {
  const cfg =
    config ?? ((await readJsonIfExists(join(dir, "config.json"))) as Record<string, unknown> | null);
  const q = cfg?.quantization_config as Record<string, unknown> | undefined;
  if (q && typeof q === "object") return q.quant_method === "gptq";
  return access(join(dir, "quantize_config.json")).then(
    () => true,
    () => false,
  );
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
  target: Target,
  v1Rule: V1ZeroRule,
  dir: string,
): Promise<QuantLinear> {
  const { name, module, cfg } = target;
  const t = new Map<string, Tensor>();
  for (const n of ["qweight", "qzeros", "scales", "g_idx"]) {
    if (reader.has(`${name}.${n}`)) t.set(`${name}.${n}`, await reader.tensor(`${name}.${n}`));
  }
  const { inFeatures, outFeatures } = module;
  let packed: ReturnType<typeof readGptqCheckpoint>;
  try {
    packed = readGptqCheckpoint((n) => t.get(n), name, {
      bits: cfg.bits,
      groupSize: cfg.groupSize,
      checkpointFormat: cfg.checkpointFormat,
      v1Rule,
      inFeatures,
    });
  } catch (e) {
    (e as Error).message = `${dir}: ${(e as Error).message}`;
    throw e;
  }
  const groups = groupCount(inFeatures, cfg.groupSize);
  const got = [packed.gIdx.shape[0], packed.qweight.shape[1], packed.scales.shape[0]];
  if (got[0] !== inFeatures || got[1] !== outFeatures || got[2] !== groups) {
    throw new ShapeError(
      `${dir}: ${name} holds in=${got[0]}, out=${got[1]}, groups=${got[2]}; the model's layer is in=${inFeatures}, out=${outFeatures} with group_size ${cfg.groupSize} (${groups} groups)`,
    );
  }
  const bias = module.bias ? await reader.tensor(`${name}.bias`, { dtype: "float32" }) : null;
  return new QuantLinear(packed, bias).to(module.weight.device);
}
