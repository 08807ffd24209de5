import type { AnyModule } from "./nn/module.js";
import type { Tensor } from "./tensor.js";

/**
 * What a decoder block needs besides its hidden states: positions, the attention mask, rotary
 * tables, a KV cache. Opaque to compression packages; only the model that made it reads it.
 */
export type BlockContext = unknown;

/**
 * The structural view of a decoder-only language model that compression packages run block by
 * block (GPTQ's sequential quantization, layer-wise fitting, sensitivity scans) without
 * importing `models`: embed the tokens, run each block with its context, apply the head.
 * `models` implements it for every architecture it loads.
 */
export interface DecoderView {
  /** Token ids int32 [B, T] (and an optional 0/1 attention mask [B, T]) to hidden states [B, T, D]. */
  embed(
    inputIds: Tensor,
    opts?: { attentionMask?: Tensor | null },
  ): { hidden: Tensor; context: BlockContext };
  /** The decoder blocks in order; their Linear layers are found by walking each block. */
  readonly blocks: readonly AnyModule[];
  /** The dotted name of block i in the whole model (e.g. "model.layers.3"), for name patterns. */
  blockName(i: number): string;
  /** Block i's forward: hidden states [B, T, D] in, hidden states out. */
  runBlock(i: number, hidden: Tensor, context: BlockContext): Tensor;
  /** Final norm and LM head: hidden states [B, T, D] to logits [B, T, V]. */
  head(hidden: Tensor): Tensor;
}
