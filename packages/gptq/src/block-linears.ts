import { type DecoderView, nn, noGrad, ShapeError } from "@shrinkray/tensor-cuda";
import { packGptq } from "./pack.js";
import { QuantLinear } from "./quant-linear.js";
import type { QuantizedWeight } from "./result.js";

/**
 * What the model-level passes accept: any model that offers tensor-cuda's structural
 * `DecoderView` (models' CausalLM does), so this package never imports `models`.
 */
export interface DecoderModel {
  decoderView(): DecoderView;
}

/** One nn.Linear inside a decoder block, under the name a checkpoint gives it. */
export interface BlockLinear {
  /** Index of the decoder block holding it. */
  block: number;
  /** Dotted name in the whole model, e.g. "model.layers.3.self_attn.q_proj". */
  name: string;
  /** Dotted name inside its block, e.g. "self_attn.q_proj" (the path for block.replace). */
  path: string;
  module: nn.Linear;
}

/**
 * The Linear layers of block `i`, in registration order. Only blocks are walked: embeddings and
 * the LM head stay float, as AutoGPTQ and GPTQModel leave them by default.
 */
export function blockLinears(view: DecoderView, i: number): BlockLinear[] {
  const prefix = view.blockName(i);
  const out: BlockLinear[] = [];
  for (const [path, module] of view.blocks[i].namedModules()) {
    if (module instanceof nn.Linear) out.push({ block: i, name: `${prefix}.${path}`, path, module });
  }
  return out;
}

/** Every block's Linear layers, block by block. */
export function allBlockLinears(view: DecoderView): BlockLinear[] {
  return view.blocks.flatMap((_, i) => blockLinears(view, i));
}

/**
 * Puts a quantized weight in place of a block's Linear: "packed" swaps in a QuantLinear (what a
 * GPTQ checkpoint holds, and what later blocks are then calibrated through), "fake" writes the
 * dequantized float weight into the Linear (same math, nothing to pack; any shape works).
 */
export function installQuantized(
  view: DecoderView,
  lin: BlockLinear,
  q: QuantizedWeight,
  mode: "packed" | "fake",
): void {
  const weight = lin.module.weight;
  if (mode === "fake") {
    noGrad(() => weight.assign(q.dequantized));
    return;
  }
  const layer = new QuantLinear(packGptq(q), lin.module.bias).to(weight.device);
  view.blocks[lin.block].replace(lin.path, layer);
}

/**
 * Packed layers need whole 32-bit words along both packed axes; checked for every layer before
 * any work so a long run cannot fail at its last layer.
 */
export function checkPackable(lin: BlockLinear, bits: number): void {
  const { inFeatures, outFeatures } = lin.module;
  for (const [what, n] of [
    ["in_features", inFeatures],
    ["out_features", outFeatures],
  ] as const) {
    if ((n * bits) % 32 !== 0) {
      throw new ShapeError(
        `${lin.name}: ${what} ${n} cannot be packed at ${bits} bits (needs a multiple of ${bits === 3 ? 32 : 32 / bits}); use mode "fake" or a dynamic "-:" rule to skip it`,
      );
    }
  }
}
