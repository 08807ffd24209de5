/**
 * exportOnnx: a loaded model (float, GPTQ/RTN packed, grouped + low-rank) to a folder that
 * transformers.js and onnxruntime load as it is:
 *
 *   OUT/onnx/model.onnx        the decoder graph with past key values
 *   OUT/onnx/model.onnx_data   its weights (external data)
 *   OUT/config.json            the model's config, plus transformers.js_config
 *   OUT/generation_config.json, tokenizer files, README.md (what was exported, layer by layer)
 *
 * Everything is written into a temp folder beside OUT and renamed into place at the end, so an
 * interrupted export leaves no half-written model.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type CausalLM, GPT2LMHeadModel, LlamaForCausalLM } from "@shrinkray/models";
import { gpt2Graph } from "./architectures/gpt2.js";
import { llamaGraph } from "./architectures/llama.js";
import { UnsupportedArchitectureError } from "./errors.js";
import { GraphBuilder } from "./graph/builder.js";
import { ExternalData } from "./graph/external-data.js";
import { type LayerExport, LinearLowering } from "./layers/linear.js";
import { modelCard } from "./model-card.js";
import { encodeModel } from "./proto/onnx.js";

export const MODEL_FILE = "onnx/model.onnx";
export const DATA_FILE = "onnx/model.onnx_data";

export const SUPPORTED_MODEL_TYPES = ["llama", "mistral", "qwen2", "qwen3", "gpt2"] as const;

const VERSION = "0.0.0";

export interface ExportOptions {
  /** Replace OUT when it exists (default: refuse). */
  overwrite?: boolean;
  /** Called once per exported layer, for progress output. */
  onLayer?: (layer: LayerExport) => void;
}

export interface ExportResult {
  dir: string;
  /** Bytes of onnx/model.onnx and onnx/model.onnx_data. */
  graphBytes: number;
  dataBytes: number;
  layers: LayerExport[];
  seconds: number;
}

type GraphFn = (low: LinearLowering) => Promise<void>;

function graphFor(model: CausalLM): GraphFn {
  if (model instanceof LlamaForCausalLM) return (low) => llamaGraph(model, low);
  if (model instanceof GPT2LMHeadModel) return (low) => gpt2Graph(model, low);
  throw new UnsupportedArchitectureError(model.modelType, SUPPORTED_MODEL_TYPES);
}

/** config.json for the folder: transformers.js is told the weights are external and fp32-named. */
function exportedConfig(model: CausalLM): Record<string, unknown> {
  const { quantization_config: _q, ...config } = model.config;
  const tjs = (config["transformers.js_config"] ?? {}) as Record<string, unknown>;
  return {
    ...config,
    "transformers.js_config": { ...tjs, dtype: "fp32", use_external_data_format: true },
  };
}

function generationConfig(model: CausalLM): Record<string, unknown> {
  const raw = model.generationConfig?.raw;
  if (raw && Object.keys(raw).length) return raw;
  const pick = ["bos_token_id", "eos_token_id", "pad_token_id"].filter((k) => model.config[k] !== undefined);
  return Object.fromEntries(pick.map((k) => [k, model.config[k]]));
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export async function exportOnnx(
  model: CausalLM,
  out: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const start = performance.now();
  const graph = graphFor(model);
  const dir = resolve(out);
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (exists && !opts.overwrite) throw new Error(`ONNX export: ${dir} exists (pass overwrite to replace it)`);
  await mkdir(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(join(tmp, "onnx"), { recursive: true });
    const data = new ExternalData(join(tmp, DATA_FILE), basename(DATA_FILE));
    const low = new LinearLowering(new GraphBuilder(data), opts.onLayer);
    try {
      await graph(low);
    } finally {
      data.close();
    }
    const bytes = encodeModel(
      low.g.model({
        producerVersion: VERSION,
        docString: `${model.modelType} decoder exported by @shrinkray/onnx-export`,
        metadata: {
          model_type: model.modelType,
          quantized_layers: String(low.layers.filter((l) => l.kind === "matmulnbits").length),
        },
      }),
    );
    await writeFile(join(tmp, MODEL_FILE), bytes);
    await writeFile(join(tmp, "config.json"), json(exportedConfig(model)));
    await writeFile(join(tmp, "generation_config.json"), json(generationConfig(model)));
    for (const [name, content] of model.sideFiles) await writeFile(join(tmp, name), content);
    await writeFile(join(tmp, "README.md"), modelCard(model.modelType, low.layers, data.bytesWritten));
    if (exists) {
      const old = `${tmp}.old`;
      await rename(dir, old);
      await rename(tmp, dir);
      await rm(old, { recursive: true, force: true });
    } else await rename(tmp, dir);
    return {
      dir,
      graphBytes: bytes.length,
      dataBytes: data.bytesWritten,
      layers: low.layers,
      seconds: (performance.now() - start) / 1000,
    };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}
