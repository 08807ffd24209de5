/**
 * OPT: learned positions stored with an offset of 2 (a fairseq legacy), ReLU MLP, pre-LN
 * blocks or, when `do_layer_norm_before` is false (OPT-350m), post-LN; project_in/project_out
 * when `word_embed_proj_dim` differs from the hidden size. LM head tied to the embedding.
 */
import { nn, scaledDotProductAttention, Tensor } from "@shrinkray/tensor-cuda";
import { CausalLM, type DecoderBlock } from "../causal-lm.js";
import { ConfigReader, type RawConfig } from "../config.js";
import type { DecoderContext } from "../context.js";
import { type BuildOptions, ModelEmbedding, ModelLinear } from "../layers.js";

/** fairseq reserved the first two rows of the position table; position p uses row p + 2. */
const POSITION_OFFSET = 2;

export interface OPTConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  ffnDim: number;
  maxPositions: number;
  preNorm: boolean;
  wordEmbedProjDim: number;
  bias: boolean;
  lnAffine: boolean;
  activation: "relu" | "gelu";
  finalLayerNorm: boolean;
  tieWordEmbeddings: boolean;
}

export function parseOPTConfig(raw: RawConfig, file = "config.json"): OPTConfig {
  const c = new ConfigReader(raw, file);
  const hiddenSize = c.int("hidden_size");
  const preNorm = c.bool("do_layer_norm_before", true);
  return {
    vocabSize: c.int("vocab_size"),
    hiddenSize,
    numLayers: c.int("num_hidden_layers"),
    numHeads: c.int("num_attention_heads"),
    ffnDim: c.int("ffn_dim"),
    maxPositions: c.int("max_position_embeddings"),
    preNorm,
    wordEmbedProjDim: c.int("word_embed_proj_dim", hiddenSize),
    bias: c.bool("enable_bias", true),
    lnAffine: c.bool("layer_norm_elementwise_affine", true),
    activation: c.oneOf("activation_function", ["relu", "gelu"], "relu"),
    finalLayerNorm: preNorm && !c.bool("_remove_final_layer_norm", false),
    tieWordEmbeddings: c.bool("tie_word_embeddings", true),
  };
}

class OPTAttention extends nn.Module<[Tensor, DecoderContext], Tensor> {
  kProj: nn.Linear;
  vProj: nn.Linear;
  qProj: nn.Linear;
  outProj: nn.Linear;

  constructor(
    private readonly cfg: OPTConfig,
    private readonly layer: number,
    o: BuildOptions,
  ) {
    super();
    const d = cfg.hiddenSize;
    // Registration order is transformers' (k, v, q, out), so state dicts list the same order.
    this.kProj = this.child("k_proj", new ModelLinear(d, d, cfg.bias, o));
    this.vProj = this.child("v_proj", new ModelLinear(d, d, cfg.bias, o));
    this.qProj = this.child("q_proj", new ModelLinear(d, d, cfg.bias, o));
    this.outProj = this.child("out_proj", new ModelLinear(d, d, cfg.bias, o));
  }

  forward(x: Tensor, ctx: DecoderContext): Tensor {
    const [B, T, C] = x.shape;
    const H = this.cfg.numHeads;
    const heads = (z: Tensor) => z.reshape([B, T, H, C / H]).transpose(1, 2);
    const q = heads(this.qProj.call(x));
    let k = heads(this.kProj.call(x));
    let v = heads(this.vProj.call(x));
    if (ctx.cache) [k, v] = ctx.cache.update(this.layer, k, v);
    const o = scaledDotProductAttention(q, k, v, { causal: true, mask: ctx.mask });
    return this.outProj.call(o.transpose(1, 2).reshape([B, T, C]));
  }
}

class OPTDecoderLayer extends nn.Module<[Tensor, DecoderContext], Tensor> {
  selfAttn: OPTAttention;
  selfAttnLayerNorm: nn.LayerNorm;
  fc1: nn.Linear;
  fc2: nn.Linear;
  finalLayerNorm: nn.LayerNorm;

  constructor(
    private readonly cfg: OPTConfig,
    layer: number,
    o: BuildOptions,
  ) {
    super();
    const ln = { elementwiseAffine: cfg.lnAffine, device: o.device };
    this.selfAttn = this.child("self_attn", new OPTAttention(cfg, layer, o));
    this.selfAttnLayerNorm = this.child("self_attn_layer_norm", new nn.LayerNorm(cfg.hiddenSize, ln));
    this.fc1 = this.child("fc1", new ModelLinear(cfg.hiddenSize, cfg.ffnDim, cfg.bias, o));
    this.fc2 = this.child("fc2", new ModelLinear(cfg.ffnDim, cfg.hiddenSize, cfg.bias, o));
    this.finalLayerNorm = this.child("final_layer_norm", new nn.LayerNorm(cfg.hiddenSize, ln));
  }

  forward(x: Tensor, ctx: DecoderContext): Tensor {
    const pre = this.cfg.preNorm;
    let h = x.add(this.selfAttn.call(pre ? this.selfAttnLayerNorm.call(x) : x, ctx));
    if (!pre) h = this.selfAttnLayerNorm.call(h);
    const f = this.fc1.call(pre ? this.finalLayerNorm.call(h) : h);
    h = h.add(this.fc2.call(this.cfg.activation === "relu" ? f.relu() : f.gelu()));
    return pre ? h : this.finalLayerNorm.call(h);
  }
}

/** transformers' OPTDecoder (under "model.decoder"). */
class OPTDecoder extends nn.Module<never[], never> {
  embedTokens: ModelEmbedding;
  embedPositions: ModelEmbedding;
  projectOut: ModelLinear | null = null;
  projectIn: ModelLinear | null = null;
  finalLayerNorm: nn.LayerNorm | null = null;
  layers: nn.ModuleList<DecoderBlock>;

  constructor(cfg: OPTConfig, o: BuildOptions) {
    super();
    const d = cfg.hiddenSize;
    const p = cfg.wordEmbedProjDim;
    this.embedTokens = this.child("embed_tokens", new ModelEmbedding(cfg.vocabSize, p, o));
    this.embedPositions = this.child(
      "embed_positions",
      new ModelEmbedding(cfg.maxPositions + POSITION_OFFSET, d, o),
    );
    if (p !== d) {
      this.projectOut = this.child("project_out", new ModelLinear(d, p, false, o));
      this.projectIn = this.child("project_in", new ModelLinear(p, d, false, o));
    }
    if (cfg.finalLayerNorm) {
      this.finalLayerNorm = this.child(
        "final_layer_norm",
        new nn.LayerNorm(d, { elementwiseAffine: cfg.lnAffine, device: o.device }),
      );
    }
    this.layers = this.child(
      "layers",
      new nn.ModuleList<DecoderBlock>(
        Array.from({ length: cfg.numLayers }, (_, i) => new OPTDecoderLayer(cfg, i, o)),
      ),
    );
  }

  forward(): never {
    throw new Error("OPTDecoder is run by its CausalLM");
  }
}

class OPTModel extends nn.Module<never[], never> {
  decoder: OPTDecoder;
  constructor(cfg: OPTConfig, o: BuildOptions) {
    super();
    this.decoder = this.child("decoder", new OPTDecoder(cfg, o));
  }
  forward(): never {
    throw new Error("OPTModel is run by its CausalLM");
  }
}

export class OPTForCausalLM extends CausalLM {
  readonly modelType = "opt";
  readonly cfg: OPTConfig;
  protected readonly blocksPath = "model.decoder.layers";
  model: OPTModel;
  lmHead: ModelLinear;

  constructor(raw: RawConfig, o: BuildOptions = {}) {
    super(raw);
    this.cfg = parseOPTConfig(raw);
    this.model = this.child("model", new OPTModel(this.cfg, o));
    this.lmHead = this.child(
      "lm_head",
      new ModelLinear(this.cfg.wordEmbedProjDim, this.cfg.vocabSize, false, o),
    );
    if (this.cfg.tieWordEmbeddings) this.lmHead.tie(this.model.decoder.embedTokens.weight);
  }

  get vocabSize(): number {
    return this.cfg.vocabSize;
  }

  protected embedStep(inputIds: Tensor, ctx: DecoderContext): Tensor {
    const dec = this.model.decoder;
    const last = Math.max(...ctx.positions);
    if (last >= this.cfg.maxPositions) {
      throw new RangeError(
        `position ${last} is beyond max_position_embeddings ${this.cfg.maxPositions} of this OPT`,
      );
    }
    let h = dec.embedTokens.call(inputIds);
    if (dec.projectIn) h = dec.projectIn.call(h);
    const shape = ctx.sharedPositions ? [ctx.length] : [ctx.batch, ctx.length];
    const rows = Int32Array.from(ctx.positions, (p) => p + POSITION_OFFSET);
    return h.add(dec.embedPositions.call(Tensor.from(rows, shape, { device: inputIds.device })));
  }

  protected blockList(): nn.ModuleList<DecoderBlock> {
    return this.model.decoder.layers;
  }

  protected headStep(hidden: Tensor): Tensor {
    const dec = this.model.decoder;
    let h = dec.finalLayerNorm ? dec.finalLayerNorm.call(hidden) : hidden;
    if (dec.projectOut) h = dec.projectOut.call(h);
    return this.lmHead.call(h);
  }

  override checkpointNames(name: string): string[] {
    // facebook/opt-* checkpoints name the decoder without the "model." prefix.
    return name.startsWith("model.") ? [name, name.slice("model.".length)] : [name];
  }
}
