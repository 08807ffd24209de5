/**
 * How a model directory stores its weights, beyond plain float tensors under Hugging Face names.
 * `models` knows no compression method: a compression package (gptq, sparse-layers) describes
 * its directories with these two shapes, and loadPretrained / saveModel take them as plugins.
 */
import type { Tensor } from "@shrinkray/tensor-cuda";
import type { CausalLM } from "./causal-lm.js";
import type { RawConfig } from "./config.js";

/** Reading: which directories a format holds, and how to fill a model from one. */
export interface WeightFormat {
  /** Shown in errors, e.g. "gptq". */
  readonly name: string;
  /** Whether `dir` (whose config.json is `config`) stores its weights this way. */
  detect(dir: string, config: RawConfig): boolean | Promise<boolean>;
  /**
   * Fills `model`, built from config.json with empty float weights, from `dir`; it may replace
   * modules (a quantized layer, a sparse one) before loading them.
   */
  load(model: CausalLM, dir: string, config: RawConfig): Promise<unknown>;
}

/** Writing: a checkpoint's contents as a compression package produces them (gptq's gptqCheckpoint). */
export interface CheckpointContents {
  /** Every tensor under its name in the file, in the dtype to store. */
  tensors: Map<string, Tensor>;
  /** Fields config.json gains or replaces (quantization_config, torch_dtype, ...). */
  config?: Record<string, unknown>;
  /** Further files (quantize_config.json, sparsity_config.json, ...): name → text. */
  files?: Record<string, string>;
  /** safetensors `__metadata__` beside {format: "pt"}. */
  metadata?: Record<string, string>;
}
