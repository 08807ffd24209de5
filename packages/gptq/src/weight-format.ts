import type { nn } from "@shrinkray/tensor-cuda";
import type { DecoderModel } from "./block-linears.js";
import { isGptqDir, loadQuantized } from "./load-quantized.js";

/**
 * GPTQ directories as a weight format for models' loadPretrained (`formats: [gptqWeightFormat]`):
 * a directory whose config.json says `quant_method: "gptq"` (or that has AutoGPTQ's
 * quantize_config.json) is loaded with loadQuantized into the model built from its config.
 * Structurally typed, so this package does not import models.
 */
export const gptqWeightFormat = {
  name: "gptq",
  detect: (dir: string, config: Record<string, unknown>): Promise<boolean> => isGptqDir(dir, config),
  async load(model: DecoderModel & nn.Module<any[], any>, dir: string): Promise<void> {
    await loadQuantized(dir, model);
  },
};
