/**
 * save(): a CausalLM back to a directory transformers (and loadPretrained) can load:
 * model.safetensors (sharded above 5 GB) with tied weights stored once under the name
 * transformers keeps, config.json, generation_config.json and the tokenizer files it came with.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { io, noGrad, type Tensor } from "@shrinkray/tensor-cuda";
import type { CausalLM } from "./causal-lm.js";
import { writeFileAtomic } from "./side-files.js";

export interface SaveOptions {
  /** Storage dtype of the weights (default float32, what the model computes in). */
  dtype?: "float32" | "float16" | "bfloat16";
  /** Largest shard in bytes (default 5 GB, as transformers). */
  maxShardBytes?: number;
}

export async function saveModel(model: CausalLM, dir: string, opts: SaveOptions = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dtype = opts.dtype ?? "float32";
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
  await io.saveSharded(dir, tensors, { maxShardBytes: opts.maxShardBytes, metadata: { format: "pt" } });
  const config = { ...model.config, torch_dtype: dtype };
  await writeFileAtomic(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  const gen = model.generationConfig?.raw;
  if (gen && Object.keys(gen).length) {
    await writeFileAtomic(join(dir, "generation_config.json"), `${JSON.stringify(gen, null, 2)}\n`);
  }
  for (const [name, bytes] of model.sideFiles) await writeFileAtomic(join(dir, name), bytes);
}
