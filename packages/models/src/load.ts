/**
 * loadPretrained: a Hugging Face model directory (config.json, model.safetensors or a sharded
 * index, generation_config.json, tokenizer files) to a CausalLM. Tensors are read one at a
 * time and copied into the model, so peak memory is the model plus one tensor.
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Device, io, noGrad, type Tensor } from "@shrinkray/tensor-cuda";
import type { CausalLM } from "./causal-lm.js";
import { MissingTensorError, ModelConfigError, TensorShapeError } from "./errors.js";
import { parseGenerationConfig } from "./generation-config.js";
import type { WeightDtype } from "./layers.js";
import { createModel } from "./registry.js";
import { readJsonFile, readSideFiles } from "./side-files.js";
import { Tokenizer } from "./tokenizer.js";
import type { WeightFormat } from "./weight-format.js";

export interface LoadOptions {
  /**
   * How Linear and Embedding weights are held. "float32" (the default, as transformers loads):
   * widened once at load. "auto": at the checkpoint's width (bfloat16/float16 stay 2 bytes a
   * weight, widened per use: about half the memory, at the cost of a widening per matmul;
   * float32 checkpoints load as float32). Biases and norms are float32 either way; computation
   * is float32 either way.
   */
  dtype?: "float32" | "auto";
  /**
   * Weight formats beyond plain float tensors (gptq's gptqWeightFormat, sparse-layers'
   * sparseWeightFormat): the first whose detect() claims the directory loads it.
   */
  formats?: readonly WeightFormat[];
  device?: Device;
  /** Also fail on checkpoint tensors the architecture does not use (default: ignore them). */
  strict?: boolean;
  /** Skip tokenizer files even when present. */
  tokenizer?: boolean;
}

export async function loadPretrained(dir: string | URL, opts: LoadOptions = {}): Promise<CausalLM> {
  const d = typeof dir === "string" ? dir : fileURLToPath(dir);
  if (opts.dtype !== undefined && opts.dtype !== "float32" && opts.dtype !== "auto") {
    throw new TypeError(`loadPretrained: dtype must be "float32" or "auto", got ${String(opts.dtype)}`);
  }
  const isDir = await stat(d).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new ModelConfigError(d, "is not a directory");
  const configPath = join(d, "config.json");
  let config: Record<string, unknown> | null;
  try {
    config = await readJsonFile(configPath);
  } catch (e) {
    throw new ModelConfigError(configPath, `is not valid JSON: ${(e as Error).message}`);
  }
  if (!config) throw new ModelConfigError(configPath, "not found");

  let format: WeightFormat | undefined;
  for (const f of opts.formats ?? []) {
    if (await f.detect(d, config)) {
      format = f;
      break;
    }
  }
  // With a format, "auto" keeps the float tensors it copies (embeddings, an unquantized head) at
  // the checkpoint's width; the layers it builds itself (packed, sparse) are its own.
  const dtype = opts.dtype === "auto" ? await checkpointWeightDtype(d) : "float32";
  const model = createModel(config, { init: "empty", device: opts.device, file: configPath, dtype });
  if (format) await format.load(model, d, config);
  else {
    refuseUnknownFormat(d, config, opts.formats ?? []);
    await loadWeights(model, d, opts.strict ?? false);
  }

  model.generationConfig = parseGenerationConfig(
    await readJsonFile(join(d, "generation_config.json")),
    config,
  );
  if (opts.tokenizer !== false) model.tokenizer = await Tokenizer.fromDir(d);
  model.sideFiles = await readSideFiles(d);
  return model.eval();
}

/** Copies the checkpoint into `model`, reporting every missing tensor at once before reading any. */
export async function loadWeights(model: CausalLM, dir: string, strict = false): Promise<void> {
  const reader = await io.openCheckpoint(dir);
  try {
    const plan: { name: string; stored: string; target: Tensor }[] = [];
    const planned = new Set<Tensor>();
    const unresolved: [string, Tensor][] = [];
    for (const [name, target] of model.stateDict()) {
      const stored = model.checkpointNames(name).find((n) => reader.has(n));
      if (stored === undefined) unresolved.push([name, target]);
      else if (!planned.has(target)) {
        plan.push({ name, stored, target });
        planned.add(target);
      }
    }
    // A tied tensor (lm_head.weight = embed_tokens.weight) is loaded through its other name.
    const missing = unresolved.filter(([, t]) => !planned.has(t)).map(([n]) => n);
    if (missing.length) throw new MissingTensorError(dir, missing);
    const used = new Set(plan.map((p) => p.stored));
    const unexpected = reader.keys().filter((k) => !used.has(k) && !model.isIgnorableTensor(k));
    if (strict && unexpected.length) {
      throw new ModelConfigError(
        dir,
        `the checkpoint has ${unexpected.length} tensor(s) this architecture does not use: ${unexpected.join(", ")}`,
      );
    }
    const scratch = new io.ReadScratch();
    for (const { name, stored, target } of plan) {
      const shape = reader.info(stored).shape;
      const sameShape = shape.length === target.rank && shape.every((s, i) => s === target.shape[i]);
      // Straight into the parameter's memory where the stored layout is ours (no copy to collect).
      if (
        sameShape &&
        model.checkpointLayoutMatches(name) &&
        (await io.readIntoTensor(reader, stored, target, scratch))
      )
        continue;
      // Read at the width the model holds this tensor: float32, or the checkpoint's own half width.
      const raw = await reader.tensor(stored, { dtype: target.dtype === "float32" ? "float32" : undefined });
      const value = noGrad(() => model.fromCheckpoint(name, raw));
      if (value.rank !== target.rank || value.shape.some((s, i) => s !== target.shape[i])) {
        throw new TensorShapeError(dir, stored, target.shape, value.shape);
      }
      target.assign(value);
      raw.dispose();
      if (value !== raw) value.dispose();
    }
  } finally {
    await reader.close();
  }
}

/**
 * A directory whose weights are not plain float tensors, with no format given that reads them,
 * is named as such instead of failing later on "missing tensor ….weight".
 */
function refuseUnknownFormat(
  dir: string,
  config: Record<string, unknown>,
  formats: readonly WeightFormat[],
): void {
  const q = config.quantization_config as Record<string, unknown> | undefined;
  const known = formats.length ? ` (formats given: ${formats.map((f) => f.name).join(", ")})` : "";
  if (q && typeof q === "object") {
    const method = q.quant_method ?? q.method ?? "unknown";
    throw new ModelConfigError(
      join(dir, "config.json"),
      `quant_method ${JSON.stringify(method)} is not supported here${known}; pass a weight format that reads it (gptq's gptqWeightFormat reads "gptq")`,
      "quantization_config",
    );
  }
  if (existsSync(join(dir, "sparsity_config.json")))
    throw new ModelConfigError(
      dir,
      `has sparsity_config.json (ShrinkRay grouped + low-rank layers) and no weight format that reads it was given${known}; pass sparse-layers' sparseWeightFormat`,
    );
}

/**
 * The width of a checkpoint's matrices (its largest floating tensor decides): what "auto" keeps.
 * Anything but bfloat16/float16 loads as float32.
 */
async function checkpointWeightDtype(dir: string): Promise<WeightDtype> {
  const reader = await io.openCheckpoint(dir);
  try {
    let best: { size: number; dtype: string } = { size: -1, dtype: "float32" };
    for (const name of reader.keys()) {
      const { dtype, shape } = reader.info(name);
      const size = shape.reduce((a, b) => a * b, 1);
      if (size > best.size && (dtype === "bfloat16" || dtype === "float16" || dtype === "float32"))
        best = { size, dtype };
    }
    return best.dtype === "bfloat16" || best.dtype === "float16" ? best.dtype : "float32";
  } finally {
    await reader.close();
  }
}
