/**
 * Llama-family decoders: Llama 2/3, Mistral (without sliding window), Qwen2 (q/k/v biases,
 * tied embeddings) and Qwen3 (per-head RMSNorm on q and k). Pre-norm RMSNorm blocks, rotary
 * positions in the rotate-half layout, grouped-query attention, SwiGLU MLP. Names follow
 * transformers' LlamaForCausalLM: model.embed_tokens, model.layers.N.self_attn.q_proj, ...
 */
import { nn, rope, scaledDotProductAttention, type Tensor } from "@shrinkray/tensor-cuda";
import { CausalLM, type DecoderBlock } from "../causal-lm.js";
import { ConfigReader, type RawConfig } from "../config.js";
import type { DecoderContext } from "../context.js";
import { type BuildOptions, ModelEmbedding, ModelLinear } from "../layers.js";
import { type RopeSpec, ropeSpec, rotaryTables } from "../rope.js";

export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  attentionBias: boolean;
  mlpBias: boolean;
  /** Qwen3: RMSNorm over each head's q and k before the rotation. */
  qkNorm: boolean;
  tieWordEmbeddings: boolean;
  /** Mistral / Qwen2's window; longer sequences are refused rather than silently attended in full. */
  slidingWindow: number | null;
  rope: RopeSpec;
}

/** The per-model_type differences, as transformers' config classes default them. */
const FLAVOURS: Record<string, { attentionBias: boolean; qkNorm: boolean; tie: boolean }> = {
  llama: { attentionBias: false, qkNorm: false, tie: false },
  mistral: { attentionBias: false, qkNorm: false, tie: false },
  qwen2: { attentionBias: true, qkNorm: false, tie: false },
  qwen3: { attentionBias: false, qkNorm: true, tie: false },
};

export function parseLlamaConfig(raw: RawConfig, file = "config.json"): LlamaConfig {
  const c = new ConfigReader(raw, file);
  const flavour = FLAVOURS[c.str("model_type")] ?? FLAVOURS.llama;
  const hiddenSize = c.int("hidden_size");
  const numHeads = c.int("num_attention_heads");
  const headDim = c.int("head_dim", Math.floor(hiddenSize / numHeads));
  c.oneOf("hidden_act", ["silu"], "silu");
  const useWindow = c.raw.model_type === "mistral" || c.bool("use_sliding_window", false);
  const window = useWindow && c.has("sliding_window") ? c.int("sliding_window") : null;
  return {
    vocabSize: c.int("vocab_size"),
    hiddenSize,
    intermediateSize: c.int("intermediate_size"),
    numLayers: c.int("num_hidden_layers"),
    numHeads,
    numKvHeads: c.int("num_key_value_heads", numHeads),
    headDim,
    rmsNormEps: c.num("rms_norm_eps", 1e-6),
    // Qwen2's q/k/v biases are unconditional in transformers; its config has no field for them.
    attentionBias: c.raw.model_type === "qwen2" ? true : c.bool("attention_bias", flavour.attentionBias),
    mlpBias: c.bool("mlp_bias", false),
    qkNorm: flavour.qkNorm,
    tieWordEmbeddings: c.bool("tie_word_embeddings", flavour.tie),
    slidingWindow: window,
    rope: ropeSpec(c, headDim),
  };
}

class LlamaAttention extends nn.Module<[Tensor, DecoderContext], Tensor> {
  qProj: nn.Linear;
  kProj: nn.Linear;
  vProj: nn.Linear;
  oProj: nn.Linear;
  qNorm: nn.RMSNorm | null = null;
  kNorm: nn.RMSNorm | null = null;

  constructor(
    private readonly cfg: LlamaConfig,
    private readonly layer: number,
    o: BuildOptions,
  ) {
    super();
    const { hiddenSize: d, numHeads: h, numKvHeads: kv, headDim: hd, attentionBias: bias } = cfg;
    this.qProj = this.child("q_proj", new ModelLinear(d, h * hd, bias, o));
    this.kProj = this.child("k_proj", new ModelLinear(d, kv * hd, bias, o));
    this.vProj = this.child("v_proj", new ModelLinear(d, kv * hd, bias, o));
    this.oProj = this.child("o_proj", new ModelLinear(h * hd, d, false, o));
    if (cfg.qkNorm) {
      this.qNorm = this.child("q_norm", new nn.RMSNorm(hd, { eps: cfg.rmsNormEps, device: o.device }));
      this.kNorm = this.child("k_norm", new nn.RMSNorm(hd, { eps: cfg.rmsNormEps, device: o.device }));
    }
  }

  forward(x: Tensor, ctx: DecoderContext): Tensor {
    const [B, T] = x.shape;
    const { numHeads: H, numKvHeads: KV, headDim: hd } = this.cfg;
    let q = this.qProj.call(x).reshape([B, T, H, hd]);
    let k = this.kProj.call(x).reshape([B, T, KV, hd]);
    let v = this.vProj.call(x).reshape([B, T, KV, hd]).transpose(1, 2);
    if (this.qNorm && this.kNorm) {
      q = this.qNorm.call(q);
      k = this.kNorm.call(k);
    }
    const { cos, sin } = ctx.rope!;
    q = rope(q.transpose(1, 2), cos, sin);
    k = rope(k.transpose(1, 2), cos, sin);
    if (ctx.cache) [k, v] = ctx.cache.update(this.layer, k, v);
    const window = this.cfg.slidingWindow;
    if (window !== null && k.shape[2] > window) {
      throw new RangeError(
        `sequence of ${k.shape[2]} tokens exceeds sliding_window ${window}, which is not implemented`,
      );
    }
    const o = scaledDotProductAttention(q, k, v, { causal: true, mask: ctx.mask });
    return this.oProj.call(o.transpose(1, 2).reshape([B, T, H * hd]));
  }
}

class LlamaMLP extends nn.Module {
  gateProj: nn.Linear;
  upProj: nn.Linear;
  downProj: nn.Linear;

  constructor(cfg: LlamaConfig, o: BuildOptions) {
    super();
    const { hiddenSize: d, intermediateSize: f, mlpBias: bias } = cfg;
    this.gateProj = this.child("gate_proj", new ModelLinear(d, f, bias, o));
    this.upProj = this.child("up_proj", new ModelLinear(d, f, bias, o));
    this.downProj = this.child("down_proj", new ModelLinear(f, d, bias, o));
  }

  forward(x: Tensor): Tensor {
    return this.downProj.call(this.gateProj.call(x).silu().mul(this.upProj.call(x)));
  }
}

class LlamaDecoderLayer extends nn.Module<[Tensor, DecoderContext], Tensor> {
  selfAttn: LlamaAttention;
  mlp: LlamaMLP;
  inputLayernorm: nn.RMSNorm;
  postAttentionLayernorm: nn.RMSNorm;

  constructor(cfg: LlamaConfig, layer: number, o: BuildOptions) {
    super();
    this.selfAttn = this.child("self_attn", new LlamaAttention(cfg, layer, o));
    this.mlp = this.child("mlp", new LlamaMLP(cfg, o));
    const norm = { eps: cfg.rmsNormEps, device: o.device };
    this.inputLayernorm = this.child("input_layernorm", new nn.RMSNorm(cfg.hiddenSize, norm));
    this.postAttentionLayernorm = this.child(
      "post_attention_layernorm",
      new nn.RMSNorm(cfg.hiddenSize, norm),
    );
  }

  forward(x: Tensor, ctx: DecoderContext): Tensor {
    const h = x.add(this.selfAttn.call(this.inputLayernorm.call(x), ctx));
    return h.add(this.mlp.call(this.postAttentionLayernorm.call(h)));
  }
}

/** transformers' LlamaModel: the embedding, the blocks and the final norm (the "model." prefix). */
class LlamaModel extends nn.Module<never[], never> {
  embedTokens: ModelEmbedding;
  layers: nn.ModuleList<DecoderBlock>;
  norm: nn.RMSNorm;

  constructor(cfg: LlamaConfig, o: BuildOptions) {
    super();
    this.embedTokens = this.child("embed_tokens", new ModelEmbedding(cfg.vocabSize, cfg.hiddenSize, o));
    const blocks = Array.from({ length: cfg.numLayers }, (_, i) => new LlamaDecoderLayer(cfg, i, o));
    this.layers = this.child("layers", new nn.ModuleList<DecoderBlock>(blocks));
    this.norm = this.child("norm", new nn.RMSNorm(cfg.hiddenSize, { eps: cfg.rmsNormEps, device: o.device }));
  }

  forward(): never {
    throw new Error("LlamaModel is run by its CausalLM");
  }
}

export class LlamaForCausalLM extends CausalLM {
  readonly modelType: string;
  readonly cfg: LlamaConfig;
  protected readonly blocksPath = "model.layers";
  model: LlamaModel;
  lmHead: ModelLinear;

  constructor(raw: RawConfig, o: BuildOptions = {}) {
    super(raw);
    this.modelType = String(raw.model_type);
    this.cfg = parseLlamaConfig(raw);
    this.model = this.child("model", new LlamaModel(this.cfg, o));
    this.lmHead = this.child("lm_head", new ModelLinear(this.cfg.hiddenSize, this.cfg.vocabSize, false, o));
    if (this.cfg.tieWordEmbeddings) this.lmHead.tie(this.model.embedTokens.weight);
  }

  get vocabSize(): number {
    return this.cfg.vocabSize;
  }

  protected embedStep(inputIds: Tensor, ctx: DecoderContext): Tensor {
    const h = this.model.embedTokens.call(inputIds);
    const shape = ctx.sharedPositions ? [ctx.length] : [ctx.batch, 1, ctx.length];
    const t = rotaryTables(this.cfg.rope, ctx.positions, shape);
    ctx.rope = { cos: t.cos.to(h.device), sin: t.sin.to(h.device) };
    return h;
  }

  protected blockList(): nn.ModuleList<DecoderBlock> {
    return this.model.layers;
  }

  protected headStep(hidden: Tensor): Tensor {
    return this.lmHead.call(this.model.norm.call(hidden));
  }
}
