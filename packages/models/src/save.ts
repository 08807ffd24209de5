/**
 * saveModel(): a CausalLM to a complete Hugging Face model directory that transformers (and
 * loadPretrained) can load: the weights (model.safetensors, sharded above 5 GB; float tensors
 * with tied weights stored once under the name transformers keeps, or a compression package's
 * checkpoint contents), config.json with torch_dtype, generation_config.json, the tokenizer and
 * chat-template files the model came with, and a README.md model card. The directory is
 * written as a whole (temp sibling, then rename): a reader never sees half of it.
 */
import { join, resolve } from "node:path";
import { io, noGrad, type Tensor } from "@shrinkray/tensor-cuda";
import { writeDirAtomic } from "./atomic-dir.js";
import type { CausalLM } from "./causal-lm.js";
import { type ModelCard, renderModelCard } from "./model-card.js";
import { writeFileAtomic } from "./side-files.js";
import type { CheckpointContents } from "./weight-format.js";

export type StorageDtype = "float32" | "float16" | "bfloat16";

export interface SaveOptions {
  /**
   * Storage dtype of float weights; default: the source config's torch_dtype (or `dtype`) when
   * it is one of these, else float32 (what the model computes in). Ignored with `checkpoint`.
   */
  dtype?: StorageDtype;
  /** Largest shard in bytes (default 5 GB, as transformers). */
  maxShardBytes?: number;
  /** The weights as a compression package lays them out (gptq's gptqCheckpoint, ...). */
  checkpoint?: CheckpointContents;
  /** README.md; without one, a directory that already has a README.md keeps none of it. */
  card?: ModelCard;
}

/** The float dtype a config.json names (transformers ≥ 4.56 writes `dtype`, older `torch_dtype`). */
export function configDtype(config: Record<string, unknown>): StorageDtype | null {
  const t = config.torch_dtype ?? config.dtype;
  return t === "float32" || t === "float16" || t === "bfloat16" ? t : null;
}

export async function saveModel(model: CausalLM, dir: string, opts: SaveOptions = {}): Promise<void> {
  const { tensors, config, files, metadata } = opts.checkpoint ?? floatCheckpoint(model, opts.dtype);
  // A quantization_config the source had describes its tensors, not these: the contents say.
  const fullConfig: Record<string, unknown> = { ...model.config, quantization_config: undefined, ...config };
  // transformers ≥ 4.56 names it `dtype`: a config that has that key gets the same value.
  if (fullConfig.dtype !== undefined && fullConfig.torch_dtype !== undefined)
    fullConfig.dtype = fullConfig.torch_dtype;
  await writeDirAtomic(dir, async (tmp) => {
    await io.saveSharded(tmp, tensors, {
      maxShardBytes: opts.maxShardBytes,
      metadata: { format: "pt", ...metadata },
    });
    for (const [name, text] of Object.entries(files ?? {})) await writeFileAtomic(join(tmp, name), text);
    await writeFileAtomic(join(tmp, "config.json"), `${JSON.stringify(fullConfig, null, 2)}\n`);
    const gen = model.generationConfig?.raw;
    if (gen && Object.keys(gen).length) {
      await writeFileAtomic(join(tmp, "generation_config.json"), `${JSON.stringify(gen, null, 2)}\n`);
    }
    for (const [name, bytes] of model.sideFiles) await writeFileAtomic(join(tmp, name), bytes);
    if (opts.card) {
      const name = resolve(dir).split(/[\\/]/).pop() ?? "model";
      await writeFileAtomic(join(tmp, "README.md"), renderModelCard(opts.card, name));
    }
  });
}

/** The plain float checkpoint: every parameter under its Hugging Face name, in `dtype`. */
function floatCheckpoint(model: CausalLM, asked?: StorageDtype): CheckpointContents {
  const dtype = asked ?? configDtype(model.config) ?? "float32";
  const tensors = new Map<string, Tensor>();
  const seen = new Set<Tensor>();
  noGrad(() => {
    // stateDict lists the embedding before the head, so a tied pair is saved under the
    // embedding's name, which is the one transformers writes.
    for (const [name, t] of model.stateDict()) {
      if (seen.has(t)) continue;
      seen.add(t);
      const stored = model.toCheckpoint(name, t.detach());
      tensors.set(name, dtype === "float32" ? stored : stored.cast(dtype));
    }
  });
  return { tensors, config: { torch_dtype: dtype } };
}
