import { access, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { io, nn, type Tensor } from "@shrinkray/tensor-cuda";
import { buildLayer, type SparsityConfig, SparsityConfigError, sparsityConfigOf } from "../replace/config.js";
import { writeJsonAtomic } from "./atomic-json.js";

export const WEIGHTS_FILE = "model.safetensors";
export const CONFIG_FILE = "sparsity_config.json";

/**
 * Saves a sparsified model as a directory: every tensor of its state dict (the custom layers'
 * blocks, low-rank factors and permutations under their module paths) in model.safetensors,
 * and which layers were replaced, and how, in sparsity_config.json — also copied into the
 * safetensors metadata so the weights file alone is enough. Both writes are atomic; the JSON
 * goes last, so a directory with a config always has the weights that match it.
 */
export async function saveSparseCheckpoint(dir: string, model: nn.AnyModule): Promise<SparsityConfig> {
  const config = sparsityConfigOf(model);
  await mkdir(dir, { recursive: true });
  await io.saveSafetensors(join(dir, WEIGHTS_FILE), model.stateDict(), {
    format: "pt",
    sparsity_config: JSON.stringify(config),
  });
  await writeJsonAtomic(join(dir, CONFIG_FILE), config);
  return config;
}

/**
 * A sparse model's checkpoint contents, in the shape models' saveModel takes to write a complete
 * model directory (config.json, tokenizer, model card beside them): every tensor of the state
 * dict under its module path (float tensors in `dtype`, default float32), sparsity_config.json,
 * and the config in the safetensors metadata too.
 */
export function sparseCheckpoint(
  model: nn.AnyModule,
  opts: { dtype?: "float32" | "float16" | "bfloat16" } = {},
): {
  tensors: Map<string, Tensor>;
  config: Record<string, unknown>;
  files: Record<string, string>;
  metadata: Record<string, string>;
} {
  const config = sparsityConfigOf(model);
  if (config.layers.length === 0)
    throw new SparsityConfigError("sparseCheckpoint: the model has no sparse layers");
  const dtype = opts.dtype ?? "float32";
  const tensors = new Map<string, Tensor>();
  const seen = new Set<Tensor>();
  for (const [name, t] of model.stateDict()) {
    // A tied tensor (lm_head.weight = embed_tokens.weight) once, under its first name.
    if (seen.has(t)) continue;
    seen.add(t);
    const floating = t.dtype === "float32" || t.dtype === "float16" || t.dtype === "bfloat16";
    tensors.set(name, floating && t.dtype !== dtype ? t.detach().cast(dtype) : t.detach());
  }
  return {
    tensors,
    config: { torch_dtype: dtype },
    files: { [CONFIG_FILE]: `${JSON.stringify(config, null, 2)}\n` },
    metadata: { sparsity_config: JSON.stringify(config) },
  };
}

/**
 * Rebuilds the sparse layers of a checkpoint on a dense skeleton of the same model (as the
 * model's own constructor or loader makes it) and loads every tensor, strictly: a missing or
 * unexpected tensor, or a shape that does not match, is an error and nothing is half-loaded.
 * Float tensors stored at 16 bits are widened to the model's float32; the weights may be one
 * file or shards with an index. A tensor saved once for two tied names fills both.
 */
export async function loadSparseCheckpoint(dir: string, skeleton: nn.AnyModule): Promise<SparsityConfig> {
  const configPath = join(dir, CONFIG_FILE);
  let config: SparsityConfig;
  try {
    config = JSON.parse(await readFile(configPath, "utf8")) as SparsityConfig;
  } catch (e) {
    throw new SparsityConfigError(`${configPath}: ${(e as Error).message}`);
  }
  applySparsityConfig(skeleton, config);
  const reader = await io.openCheckpoint(dir);
  try {
    const tensors = new Map<string, Tensor>();
    for (const name of reader.keys()) {
      const dtype = reader.info(name).dtype;
      const wide = dtype === "float16" || dtype === "bfloat16" ? "float32" : undefined;
      tensors.set(name, await reader.tensor(name, { dtype: wide }));
    }
    // Tied parameters (one Tensor under two names) are stored under the first name only.
    const byTensor = new Map<Tensor, string>();
    for (const [name, t] of skeleton.stateDict()) {
      const first = byTensor.get(t);
      if (first === undefined) byTensor.set(t, name);
      else if (!tensors.has(name) && tensors.has(first)) tensors.set(name, tensors.get(first)!);
    }
    skeleton.loadStateDict(tensors);
  } finally {
    await reader.close();
  }
  return config;
}

/**
 * ShrinkRay's sparse directories as a weight format for models' loadPretrained (`formats:
 * [sparseWeightFormat]`): a directory with sparsity_config.json. Structurally typed, so this
 * package does not import models.
 */
export const sparseWeightFormat = {
  name: "shrinkray-sparse",
  detect: (dir: string): Promise<boolean> =>
    access(join(dir, CONFIG_FILE)).then(
      () => true,
      () => false,
    ),
  load: (model: nn.AnyModule, dir: string): Promise<SparsityConfig> => loadSparseCheckpoint(dir, model),
};

/** Replaces the configured Linear layers of `model` with empty sparse layers of the right shape. */
export function applySparsityConfig(model: nn.AnyModule, config: SparsityConfig): void {
  if (config?.format !== "shrinkray-sparse-layers" || config.version !== 1) {
    throw new SparsityConfigError(
      `not a version-1 sparse-layers config (format ${config?.format}, version ${config?.version})`,
    );
  }
  for (const c of config.layers) {
    let m: nn.AnyModule;
    try {
      m = model.get(c.name);
    } catch {
      throw new SparsityConfigError(`config layer "${c.name}" is not a module of the model`);
    }
    if (!(m instanceof nn.Linear))
      throw new SparsityConfigError(`config layer "${c.name}" is a ${m.constructor.name}, expected a Linear`);
    if (m.inFeatures !== c.inFeatures || m.outFeatures !== c.outFeatures) {
      throw new SparsityConfigError(
        `config layer "${c.name}" is ${c.inFeatures} → ${c.outFeatures}, the model's Linear is ${m.inFeatures} → ${m.outFeatures}`,
      );
    }
    model.replace(c.name, buildLayer(c));
  }
}
