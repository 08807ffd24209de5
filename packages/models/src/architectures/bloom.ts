/**
 * BLOOM: no position embeddings but ALiBi, a linear bias on the attention scores that grows with
 * the key's distance; a LayerNorm right after the token embedding; a fused query_key_value
 * projection whose rows are grouped by head ([q, k, v] of head 0, then of head 1, ...); a GELU
 * (tanh approximation) MLP of width 4·d; pre-LN blocks whose residual is taken after the norm
 * when `apply_residual_connection_post_layernorm` is set; LM head tied to the embedding. Names
 * follow transformers' BloomForCausalLM: transformer.h.N.self_attention.query_key_value, ...
 */
import { type Device, nn, scaledDotProductAttention, Tensor } from "@shrinkray/tensor-cuda";
import { CausalLM, type DecoderBlock } from "../causal-lm.js";
import { ConfigReader, type RawConfig } from "../config.js";
import { type DecoderContext, MASKED } from "../context.js";
import { type BuildOptions, ModelEmbedding, ModelLinear } from "../layers.js";

export interface BloomConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  eps: number;
  residualAfterNorm: boolean;
  tieWordEmbeddings: boolean;
}

export function parseBloomConfig(raw: RawConfig, file = "config.json"): BloomConfig {
  const c = new ConfigReader(raw, file);
  // BloomConfig lets the legacy n_embed override hidden_size; released configs carry n_embed.
  const hiddenSize = c.int(["n_embed", "hidden_size"]);
  const numHeads = c.int(["n_head", "num_attention_heads"]);
  if (numHeads === 0 || hiddenSize % numHeads !== 0)
    c.fail("n_head", `hidden size ${hiddenSize} is not a multiple of ${numHeads} heads`);
  return {
    vocabSize: c.int("vocab_size"),
    hiddenSize,
    numLayers: c.int(["n_layer", "num_hidden_layers"]),
    numHeads,
    eps: c.num("layer_norm_epsilon", 1e-5),
    residualAfterNorm: c.bool("apply_residual_connection_post_layernorm", false),
    tieWordEmbeddings: c.bool("tie_word_embeddings", true),
  };
}

/**
 * ALiBi's per-head slopes as transformers' build_alibi_tensor computes them (float32): the
 * geometric sequence 2^(-8h/n) for the largest power of two n <= heads, then, for the heads
 * beyond it, every other slope of the sequence for 2n.
 */
export function alibiSlopes(numHeads: number): Float32Array {
  const pow2 = 2 ** Math.floor(Math.log2(numHeads));
  const base = Math.fround(2 ** -(2 ** -(Math.log2(pow2) - 3)));
  const out = new Float32Array(numHeads);
  for (let h = 0; h < pow2; h++) out[h] = base ** (h + 1);
  const extraBase = Math.fround(2 ** -(2 ** -(Math.log2(2 * pow2) - 3)));
  for (let h = pow2; h < numHeads; h++) out[h] = extraBase ** (2 * (h - pow2) + 1);
  return out;
}

/**
 * The additive attention bias over all S keys: slope_h · (the key's position among the row's
 * real tokens), as transformers builds it from attention_mask.cumsum, plus the padding mask.
 * It depends on the key only; the paper's slope · (j − i) differs from it by a constant per
 * query row, which softmax ignores. [1, H, 1, S] without padding, [B, H, 1, S] with it.
 */
export function alibiBias(
  slopes: Float32Array,
  keyMask: Int32Array | null,
  batch: number,
  keys: number,
  device?: Device,
): Tensor {
  const H = slopes.length;
  const rows = keyMask ? batch : 1;
  const out = new Float32Array(rows * H * keys);
  for (let b = 0; b < rows; b++) {
    let seen = 0;
    for (let s = 0; s < keys; s++) {
      const real = keyMask?.[b * keys + s] !== 0;
      const pos = real ? seen++ : 0;
      for (let h = 0; h < H; h++) out[(b * H + h) * keys + s] = real ? slopes[h] * pos : MASKED;
    }
  }
  return Tensor.from(out, [rows, H, 1, keys], { device });
}

class BloomAttention extends nn.Module<[Tensor, DecoderContext], Tensor> {
  queryKeyValue: nn.Linear;
  dense: nn.Linear;

  constructor(
    private readonly cfg: BloomConfig,
    private readonly layer: number,
    o: BuildOptions,
  ) {
    super();
    const d = cfg.hiddenSize;
    this.queryKeyValue = this.child("query_key_value", new ModelLinear(d, 3 * d, true, o));
    this.dense = this.child("dense", new ModelLinear(d, d, true, o));
  }

  forward(x: Tensor, ctx: DecoderContext): Tensor {
    const [B, T, C] = x.shape;
    const H = this.cfg.numHeads;
    const D = C / H;
    // Head-interleaved rows: the fused output is [B, T, H, (q, k, v), D].
    const fused = this.queryKeyValue.call(x).reshape([B, T, H, 3 * D]);
    const [q, k0, v0] = fused.split(D, -1).map((z) => z.transpose(1, 2));
    const [k, v] = ctx.cache ? ctx.cache.update(this.layer, k0, v0) : [k0, v0];
    const o = scaledDotProductAttention(q, k, v, { causal: true, mask: ctx.alibi });
    return this.dense.call(o.transpose(1, 2).reshape([B, T, C]));
  }
}

class BloomMLP extends nn.Module {
  denseHTo4h: nn.Linear;
  dense4hToH: nn.Linear;

  constructor(cfg: BloomConfig, o: BuildOptions) {
    super();
    const d = cfg.hiddenSize;
    this.denseHTo4h = this.child("dense_h_to_4h", new ModelLinear(d, 4 * d, true, o));
    this.dense4hToH = this.child("dense_4h_to_h", new ModelLinear(4 * d, d, true, o));
  }

  forward(x: Tensor): Tensor {
    return this.dense4hToH.call(this.denseHTo4h.call(x).gelu("tanh"));
  }
}

class BloomBlock extends nn.Module<[Tensor, DecoderContext], Tensor> {
  inputLayernorm: nn.LayerNorm;
  selfAttention: BloomAttention;
  postAttentionLayernorm: nn.LayerNorm;
  mlp: BloomMLP;

  constructor(
    private readonly cfg: BloomConfig,
    layer: number,
    o: BuildOptions,
  ) {
    super();
    const ln = { eps: cfg.eps, device: o.device };
    this.inputLayernorm = this.child("input_layernorm", new nn.LayerNorm(cfg.hiddenSize, ln));
    this.selfAttention = this.child("self_attention", new BloomAttention(cfg, layer, o));
    this.postAttentionLayernorm = this.child(
      "post_attention_layernorm",
      new nn.LayerNorm(cfg.hiddenSize, ln),
    );
    this.mlp = this.child("mlp", new BloomMLP(cfg, o));
  }

  forward(x: Tensor, ctx: DecoderContext): Tensor {
    const post = this.cfg.residualAfterNorm;
    const n1 = this.inputLayernorm.call(x);
    const h = (post ? n1 : x).add(this.selfAttention.call(n1, ctx));
    const n2 = this.postAttentionLayernorm.call(h);
    return (post ? n2 : h).add(this.mlp.call(n2));
  }
}

/** transformers' BloomModel (the "transformer." prefix). */
class BloomModel extends nn.Module<never[], never> {
  wordEmbeddings: ModelEmbedding;
  wordEmbeddingsLayernorm: nn.LayerNorm;
  h: nn.ModuleList<DecoderBlock>;
  lnF: nn.LayerNorm;

  constructor(cfg: BloomConfig, o: BuildOptions) {
    super();
    const ln = { eps: cfg.eps, device: o.device };
    this.wordEmbeddings = this.child("word_embeddings", new ModelEmbedding(cfg.vocabSize, cfg.hiddenSize, o));
    this.wordEmbeddingsLayernorm = this.child(
      "word_embeddings_layernorm",
      new nn.LayerNorm(cfg.hiddenSize, ln),
    );
    const blocks = Array.from({ length: cfg.numLayers }, (_, i) => new BloomBlock(cfg, i, o));
    this.h = this.child("h", new nn.ModuleList<DecoderBlock>(blocks));
    this.lnF = this.child("ln_f", new nn.LayerNorm(cfg.hiddenSize, ln));
  }

  forward(): never {
    throw new Error("BloomModel is run by its CausalLM");
  }
}

export class BloomForCausalLM extends CausalLM {
  readonly modelType = "bloom";
  readonly cfg: BloomConfig;
  protected readonly blocksPath = "transformer.h";
  transformer: BloomModel;
  lmHead: ModelLinear;
  private readonly slopes: Float32Array;

  constructor(raw: RawConfig, o: BuildOptions = {}) {
    super(raw);
    this.cfg = parseBloomConfig(raw);
    this.slopes = alibiSlopes(this.cfg.numHeads);
    this.transformer = this.child("transformer", new BloomModel(this.cfg, o));
    this.lmHead = this.child("lm_head", new ModelLinear(this.cfg.hiddenSize, this.cfg.vocabSize, false, o));
    if (this.cfg.tieWordEmbeddings) this.lmHead.tie(this.transformer.wordEmbeddings.weight);
  }

  get vocabSize(): number {
    return this.cfg.vocabSize;
  }

  /** Explicit positionIds are ignored, as in transformers: ALiBi counts the mask's real tokens. */
  protected embedStep(inputIds: Tensor, ctx: DecoderContext): Tensor {
    const t = this.transformer;
    const h = t.wordEmbeddingsLayernorm.call(t.wordEmbeddings.call(inputIds));
    const keys = ctx.pastLength + ctx.length;
    ctx.alibi = alibiBias(this.slopes, ctx.keyMask, ctx.batch, keys, h.device);
    return h;
  }

  protected blockList(): nn.ModuleList<DecoderBlock> {
    return this.transformer.h;
  }

  protected headStep(hidden: Tensor): Tensor {
    return this.lmHead.call(this.transformer.lnF.call(hidden));
  }

  override checkpointNames(name: string): string[] {
    // bigscience/bloom-* checkpoints store BloomModel's tensors without the "transformer." prefix.
    return name.startsWith("transformer.") ? [name, name.slice("transformer.".length)] : [name];
  }
}
