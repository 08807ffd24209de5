/**
 * The base of every architecture: a decoder-only LM as an nn.Module tree whose parameter
 * names are the checkpoint's. Subclasses supply three steps (embed, the decoder blocks, the
 * head); forward, the DecoderView that compression packages use, and the checkpoint-name
 * mapping are shared.
 */
import { type DecoderView, type Device, nn, type Tensor } from "@shrinkray/tensor-cuda";
import type { RawConfig } from "./config.js";
import { buildContext, type DecoderContext, type ForwardOptions } from "./context.js";
import type { GenerationConfig } from "./generation-config.js";
import { KVCache } from "./kv-cache.js";
import { type SaveOptions, saveModel } from "./save.js";
import type { Tokenizer } from "./tokenizer.js";

/** A decoder block: hidden states [B, T, D] and the forward's shared context in, hidden states out. */
export type DecoderBlock = nn.Module<[Tensor, DecoderContext], Tensor>;

export abstract class CausalLM extends nn.Module<[Tensor, ForwardOptions?], Tensor> {
  /** config.json as read (saved back as is, so fields we do not use survive a round trip). */
  config: RawConfig;
  generationConfig: GenerationConfig | null = null;
  tokenizer: Tokenizer | null = null;
  /** Tokenizer and other side files of the source directory, written back by save(). */
  sideFiles = new Map<string, Uint8Array>();

  abstract readonly modelType: string;
  abstract readonly vocabSize: number;
  /** Dotted name of the decoder-block list, e.g. "model.layers". */
  protected abstract readonly blocksPath: string;

  constructor(config: RawConfig) {
    super();
    this.config = config;
  }

  /** Token (and learned position) embeddings; also fills per-forward context such as rotary tables. */
  protected abstract embedStep(inputIds: Tensor, ctx: DecoderContext): Tensor;
  protected abstract blockList(): nn.ModuleList<DecoderBlock>;
  /** Final norm and LM head. */
  protected abstract headStep(hidden: Tensor): Tensor;

  get numLayers(): number {
    return this.blockList().length;
  }

  /** Where the weights are (after `to(device)`): the device token ids are moved to. */
  get device(): Device {
    return this.parameters()[0]?.device ?? "cpu";
  }

  /** inputIds int32 [B, T] → logits [B, T, V] (or [B, logitsToKeep, V]); ids go to the model's device. */
  forward(ids: Tensor, opts: ForwardOptions = {}): Tensor {
    const inputIds = ids.device === this.device ? ids : ids.to(this.device);
    const ctx = buildContext(inputIds, opts);
    let h = this.embedStep(inputIds, ctx);
    for (const block of this.blockList()) h = block.call(h, ctx);
    const keep = opts.logitsToKeep ?? 0;
    if (keep > 0 && keep < ctx.length) h = h.slice(1, ctx.length - keep);
    return this.headStep(h);
  }

  /** An empty cache for incremental decoding with this model. */
  newCache(): KVCache {
    return new KVCache(this.numLayers);
  }

  /** The block-by-block view that gptq / sparse-layers run without importing this package. */
  decoderView(): DecoderView {
    const model = this;
    return {
      embed(inputIds, opts) {
        const ctx = buildContext(inputIds, opts ?? {});
        return { hidden: model.embedStep(inputIds, ctx), context: ctx };
      },
      get blocks() {
        return [...model.blockList()];
      },
      blockName: (i) => `${this.blocksPath}.${i}`,
      runBlock: (i, hidden, context) =>
        this.blockList()
          .at(i)
          .call(hidden, context as DecoderContext),
      head: (hidden) => this.headStep(hidden),
    };
  }

  // ---- checkpoint names: identity unless an architecture stores tensors differently ----

  /** Names the checkpoint may use for our parameter `name` (first match wins). */
  checkpointNames(name: string): string[] {
    return [name];
  }

  /** A checkpoint tensor as our parameter holds it (GPT-2's Conv1D weights are transposed). */
  fromCheckpoint(_name: string, t: Tensor): Tensor {
    return t;
  }

  /** The inverse of fromCheckpoint, for save(). */
  toCheckpoint(_name: string, t: Tensor): Tensor {
    return t;
  }

  /** Checkpoint tensors that carry no weights (cached masks, rotary inv_freq): skipped silently. */
  isIgnorableTensor(name: string): boolean {
    return /(^|\.)(rotary_emb\.inv_freq|attn\.bias|attn\.masked_bias)$/.test(name);
  }

  /** Writes a Hugging Face directory (see save.ts). */
  save(dir: string, opts: SaveOptions = {}): Promise<void> {
    return saveModel(this, dir, opts);
  }
}
