import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { io, nn } from "@shrinkray/tensor-cuda";
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
 * Rebuilds the sparse layers of a checkpoint on a dense skeleton of the same model (as the
 * model's own constructor or loader makes it) and loads every tensor, strictly: a missing or
 * unexpected tensor, or a shape that does not match, is an error and nothing is half-loaded.
 */
export async function loadSparseCheckpoint(dir: string, skeleton: nn.AnyModule): Promise<SparsityConfig> {
  const config = JSON.parse(await readFile(join(dir, CONFIG_FILE), "utf8")) as SparsityConfig;
  applySparsityConfig(skeleton, config);
  const tensors = await io.loadSafetensors(join(dir, WEIGHTS_FILE));
  skeleton.loadStateDict(tensors);
  return config;
}

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
