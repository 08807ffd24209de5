/**
 * The base of every architecture: a decoder-only LM as an nn.Module tree whose parameter
 * names are the checkpoint's. Subclasses supply three steps (embed, the decoder blocks, the
 * head); forward, the DecoderView that compression packages use, and the checkpoint-name
 * mapping are shared.
 */
import { cat, type DecoderView, type Device, nn, Tensor, tidy } from "@shrinkray/tensor-cuda";
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
    const h = this.trunk(inputIds, ctx);
    const keep = opts.logitsToKeep ?? 0;
    return stepping(h, (x) =>
      this.headStep(keep > 0 && keep < ctx.length ? x.slice(1, ctx.length - keep) : x),
    );
  }

  /**
   * log p(target) at every position whose target is not `ignoreIndex`, and whether the target
   * is the argmax there (lm-eval's is_greedy; a tie counts), without building [B, T, V] logits:
   * the head runs over chunks of the scored rows only, each chunk's logits reduced to a
   * log-sum-exp, a gathered target and a max before the next. Scoring a 4×512 batch of a
   * 150k-vocabulary model then holds ~64 MB of logits, not 1.2 GB.
   *
   * targets: int32 [B, T] on the host, target of position t = the token at t + 1 (or ignoreIndex).
   * Returns float32 and bool tensors [N] over the scored positions, row-major.
   */
  scoreTargets(
    ids: Tensor,
    targets: Int32Array,
    opts: ForwardOptions & {
      ignoreIndex?: number /** Rows per head chunk (default: 64 MB of logits). */;
      chunkRows?: number;
    } = {},
  ): { logprobs: Tensor; greedy: Tensor } {
    const [B, T] = ids.shape;
    if (targets.length !== B * T)
      throw new TypeError(`scoreTargets: targets has ${targets.length} entries for ids [${B}, ${T}]`);
    const ignore = opts.ignoreIndex ?? -100;
    const rows: number[] = [];
    const wanted: number[] = [];
    targets.forEach((t, i) => {
      if (t === ignore) return;
      if (!(t >= 0 && t < this.vocabSize))
        throw new RangeError(
          `scoreTargets: target ${t} at position ${i} is outside the vocabulary [0, ${this.vocabSize})`,
        );
      rows.push(i);
      wanted.push(t);
    });
    // One tidy around it all: the device copy of the ids, the context's masks and tables, and
    // every chunk's logits are freed here; only the two results leave.
    return tidy(() => {
      const inputIds = ids.device === this.device ? ids : ids.to(this.device);
      const ctx = buildContext(inputIds, opts);
      const h = this.trunk(inputIds, ctx);
      const D = h.shape[2];
      const picked = stepping(h, (x) =>
        x
          .reshape([B * T, D])
          .indexSelect(0, Tensor.from(Int32Array.from(rows), [rows.length], { device: this.device })),
      );
      const chunk = opts.chunkRows ?? Math.max(1, Math.floor(SCORE_CHUNK_ELEMENTS / this.vocabSize));
      const logprobs: Tensor[] = [];
      const greedy: Tensor[] = [];
      for (let a = 0; a < rows.length; a += chunk) {
        const n = Math.min(chunk, rows.length - a);
        const [lp, gr] = tidy(() => {
          const logits = this.headStep(picked.slice(0, a, a + n).unsqueeze(0)).reshape([n, this.vocabSize]);
          const tgt = Tensor.from(Int32Array.from(wanted.slice(a, a + n)), [n, 1], { device: this.device });
          const at = logits.gather(1, tgt).reshape([n]);
          return [at.sub(logits.logsumexp(1)), at.ge(logits.max(1))];
        });
        logprobs.push(lp);
        greedy.push(gr);
      }
      picked.dispose();
      if (rows.length === 0)
        return {
          logprobs: Tensor.zeros([0], { device: this.device }),
          greedy: Tensor.zeros([0], { dtype: "bool", device: this.device }),
        };
      return { logprobs: catAndFree(logprobs), greedy: catAndFree(greedy) };
    });
  }

  /**
   * Embeddings and every decoder block: the final hidden states [B, T, D], before the head. Each
   * block runs in its own tidy() and its input is freed once it is done, so a forward holds one
   * block's activations at a time (as PyTorch frees at the last reference), not every layer's.
   */
  protected trunk(inputIds: Tensor, ctx: DecoderContext): Tensor {
    let h = this.embedStep(inputIds, ctx);
    for (const block of this.blockList()) h = stepping(h, (x) => block.call(x, ctx));
    return h;
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

  /** Whether checkpoint tensor `name` is stored exactly as our parameter holds it (fromCheckpoint is the identity). */
  checkpointLayoutMatches(_name: string): boolean {
    return true;
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

/**
 * y = step(x) inside tidy(), then x is freed unless something still needs it: a recorded graph
 * (training), a persistent owner (a cache), or the step handed x itself back.
 */
function stepping(x: Tensor, step: (x: Tensor) => Tensor): Tensor {
  const y = tidy(() => step(x));
  if (y !== x && !x.heldByGraph && !x.persistent) x.dispose();
  return y;
}

/** Logits elements one scoring chunk may hold (64 MB of float32). */
const SCORE_CHUNK_ELEMENTS = 16 * 1024 * 1024;

function catAndFree(parts: Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const out = cat(parts, 0);
  for (const p of parts) p.dispose();
  return out;
}
