import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadQuantized } from "@shrinkray/gptq";
import { type CausalLM, loadPretrained } from "@shrinkray/models";
import { loadSparseCheckpoint, saveSparseCheckpoint } from "@shrinkray/sparse-layers";

/** How a variant was written, so a resumed run can read it back. */
export interface StoredModel {
  format: "hf" | "sparse" | "gptq";
  dir: string;
  /** For "sparse" and "gptq": the dense model directory its skeleton is built from. */
  baseDir?: string;
}

export function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

export async function storeModel(
  model: CausalLM,
  dir: string,
  baseDir: string,
  sparse: boolean,
): Promise<StoredModel> {
  if (sparse) {
    await saveSparseCheckpoint(dir, model);
    return { format: "sparse", dir, baseDir };
  }
  await model.save(dir);
  return { format: "hf", dir };
}

export async function loadStored(s: StoredModel): Promise<CausalLM> {
  if (s.format === "hf") return loadPretrained(s.dir);
  if (s.format === "gptq") {
    const model = await loadPretrained(s.baseDir!);
    await loadQuantized(s.dir, model);
    return model;
  }
  const skeleton = await loadPretrained(s.baseDir!);
  await loadSparseCheckpoint(s.dir, skeleton);
  return skeleton;
}
