/**
 * Reading a model directory for export: a float Hugging Face directory, or a GPTQ checkpoint
 * (ours, AutoGPTQ's or GPTQModel's: `quantization_config` in config.json or quantize_config.json),
 * whose packed layers load as QuantLinear and export as MatMulNBits.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadQuantized } from "@shrinkray/gptq";
import {
  type CausalLM,
  createModel,
  loadPretrained,
  ModelConfigError,
  parseGenerationConfig,
  readSideFiles,
  Tokenizer,
} from "@shrinkray/models";

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ModelConfigError(path, `is not valid JSON: ${(e as Error).message}`);
  }
}

export async function loadForExport(dir: string): Promise<CausalLM> {
  if (existsSync(join(dir, "sparsity_config.json")))
    throw new ModelConfigError(
      join(dir, "sparsity_config.json"),
      "a sparse-layers checkpoint holds only the replaced layers: load it onto its base model (sparse-layers' loadSparseCheckpoint) and pass the model to exportOnnx, or run `shrinkray export` with --base DIR",
    );
  const configPath = join(dir, "config.json");
  const config = await readJson(configPath);
  if (!config) throw new ModelConfigError(configPath, "not found");
  const quantized = config.quantization_config != null || existsSync(join(dir, "quantize_config.json"));
  if (!quantized) return loadPretrained(dir);
  const model = createModel(config, { init: "empty", file: configPath });
  await loadQuantized(dir, model);
  model.generationConfig = parseGenerationConfig(await readJson(join(dir, "generation_config.json")), config);
  model.tokenizer = await Tokenizer.fromDir(dir);
  model.sideFiles = await readSideFiles(dir);
  return model.eval();
}
