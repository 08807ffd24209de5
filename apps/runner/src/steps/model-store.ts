import { readdirSync, statSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { gptqWeightFormat } from "@shrinkray/gptq";
import {
  type CausalLM,
  type LoadOptions,
  loadPretrained,
  type ModelCard,
  renderModelCard,
  type WeightFormat,
} from "@shrinkray/models";
import { sparseWeightFormat } from "@shrinkray/sparse-layers";

/**
 * Every weight format the runner reads: float Hugging Face directories (models' own), GPTQ
 * (AutoGPTQ / GPTQModel, v1 and v2, int8 as 8-bit GPTQ) and ShrinkRay's sparse directories.
 */
export const WEIGHT_FORMATS: readonly WeightFormat[] = [
  gptqWeightFormat as WeightFormat,
  sparseWeightFormat as unknown as WeightFormat,
];

/**
 * The one entry point every command loads a model directory through, whatever wrote it (this
 * tool, transformers, AutoGPTQ, GPTQModel); a directory none of the formats reads gets an
 * error naming what it is.
 */
export function loadModelDir(dir: string, opts: Omit<LoadOptions, "formats"> = {}): Promise<CausalLM> {
  return loadPretrained(dir, { ...opts, formats: WEIGHT_FORMATS });
}

/** Where a variant's model directory is: its own (written by the variant) or the source model's. */
export interface StoredModel {
  dir: string;
}

/** Bytes of the weight files in a model directory. */
export function weightBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".safetensors") && f !== "reference.safetensors")
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

export function loadStored(s: StoredModel): Promise<CausalLM> {
  return loadModelDir(s.dir);
}

/** (Re)writes a model directory's README.md, e.g. once its metrics are measured. */
export async function writeModelCard(dir: string, card: ModelCard): Promise<void> {
  const tmp = join(dir, `.README.md.tmp-${process.pid}`);
  await writeFile(tmp, renderModelCard(card, basename(dir)));
  await rename(tmp, join(dir, "README.md"));
}
