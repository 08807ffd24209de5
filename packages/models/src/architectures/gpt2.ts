/**
 * GPT-2: learned positions, pre-LN blocks with a fused q/k/v projection, GELU (tanh
 * approximation, "gelu_new"), LM head tied to the token embedding. Checkpoints store the
 * projections as Conv1D weights [in, out]; they are transposed on load into nn.Linear's
 * [out, in] and back on save, so compression passes see the same Linear as everywhere else.
 */
import { nn, scaledDotProductAttention, Tensor } from "@shrinkray/tensor-cuda";
import { CausalLM, type DecoderBlock } from "../causal-lm.js";
import { ConfigReader, type RawConfig } from "../config.js";
import type { DecoderContext } from "../context.js";
import { type BuildOptions, ModelEmbedding, ModelLinear } from "../layers.js";

export interface GPT2Config {
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nInner: number;
  activation: "gelu_new" | "gelu" | "relu";
  eps: number;
}

export function parseGPT2Config(raw: RawConfig, file = "config.json"): GPT2Config {
  const c = new ConfigReader(raw, file);
  const nEmbd = c.int("n_embd");
  if (c.bool("scale_attn_by_inverse_layer_idx", false))
    c.fail("scale_attn_by_inverse_layer_idx", "true is not supported");
  return {
    vocabSize: c.int("vocab_size"),
    nPositions: c.int("n_positions"),
    nEmbd,
    nLayer: c.int("n_layer"),
    nHead: c.int("n_head"),
    nInner: c.int("n_inner", 4 * nEmbd),
    activation: c.oneOf("activation_function", ["gelu_new", "gelu", "relu"], "gelu_new"),
    eps: c.num("layer_norm_epsilon", 1e-5),
  };
}

const CONV1D = /\.(c_attn|c_proj|c_fc)\.weight$/;

class GPT2Attention extends nn.Module<[Tensor, DecoderContext], Tensor> {
  cAttn: nn.Linear;
  cProj: nn.Linear;

  constructor(
    private readonly cfg: GPT2Config,
    private readonly layer: number,
    o: BuildOptions,
  ) {
    super();
    this.cAttn = this.child("c_attn", new ModelLinear(cfg.nEmbd, 3 * cfg.nEmbd, true, o));
    this.cProj = this.child("c_proj", new ModelLinear(cfg.nEmbd, cfg.nEmbd, true, o));
  }

  forward(x: Tensor, ctx: DecoderContext): Tensor {
    const [B, T, C] = x.shape;
    const H = this.cfg.nHead;
    const heads = (z: Tensor) => z.reshape([B, T, H, C / H]).transpose(1, 2);
    const [q, k0, v0] = this.cAttn.call(x).split(C, -1).map(heads);
    const [k, v] = ctx.cache ? ctx.cache.update(this.layer, k0, v0) : [k0, v0];
    const o = scaledDotProductAttention(q, k, v, { causal: true, mask: ctx.mask });
    return this.cProj.call(o.transpose(1, 2).reshape([B, T, C]));
  }
}

class GPT2MLP extends nn.Module {
  cFc: nn.Linear;
  cProj: nn.Linear;

  constructor(
    private readonly cfg: GPT2Config,
    o: BuildOptions,
  ) {
    super();
    this.cFc = this.child("c_fc", new ModelLinear(cfg.nEmbd, cfg.nInner, true, o));
    this.cProj = this.child("c_proj", new ModelLinear(cfg.nInner, cfg.nEmbd, true, o));
  }

  forward(x: Tensor): Tensor {
    const h = this.cFc.call(x);
    const act =
      this.cfg.activation === "relu"
        ? h.relu()
        : h.gelu(this.cfg.activation === "gelu_new" ? "tanh" : "none");
    return this.cProj.call(act);
  }
}

class GPT2Block extends nn.Module<[Tensor, DecoderContext], Tensor> {
  ln1: nn.LayerNorm;
  attn: GPT2Attention;
  ln2: nn.LayerNorm;
  mlp: GPT2MLP;

  constructor(cfg: GPT2Config, layer: number, o: BuildOptions) {
    super();
    const ln = { eps: cfg.eps, device: o.device };
    this.ln1 = this.child("ln_1", new nn.LayerNorm(cfg.nEmbd, ln));
    this.attn = this.child("attn", new GPT2Attention(cfg, layer, o));
    this.ln2 = this.child("ln_2", new nn.LayerNorm(cfg.nEmbd, ln));
    this.mlp = this.child("mlp", new GPT2MLP(cfg, o));
  }

  forward(x: Tensor, ctx: DecoderContext): Tensor {
    const h = x.add(this.attn.call(this.ln1.call(x), ctx));
    return h.add(this.mlp.call(this.ln2.call(h)));
  }
}

/** transformers' GPT2Model (the "transformer." prefix). */
class GPT2Model extends nn.Module<never[], never> {
  wte: ModelEmbedding;
  wpe: ModelEmbedding;
  h: nn.ModuleList<DecoderBlock>;
  lnF: nn.LayerNorm;

  constructor(cfg: GPT2Config, o: BuildOptions) {
    super();
    this.wte = this.child("wte", new ModelEmbedding(cfg.vocabSize, cfg.nEmbd, o));
    this.wpe = this.child("wpe", new ModelEmbedding(cfg.nPositions, cfg.nEmbd, o));
    this.h = this.child(
      "h",
      new nn.ModuleList<DecoderBlock>(Array.from({ length: cfg.nLayer }, (_, i) => new GPT2Block(cfg, i, o))),
    );
    this.lnF = this.child("ln_f", new nn.LayerNorm(cfg.nEmbd, { eps: cfg.eps, device: o.device }));
  }

  forward(): never {
    throw new Error("GPT2Model is run by its CausalLM");
  }
}

export class GPT2LMHeadModel extends CausalLM {
  readonly modelType = "gpt2";
  readonly cfg: GPT2Config;
  protected readonly blocksPath = "transformer.h";
  transformer: GPT2Model;
  lmHead: ModelLinear;

  constructor(raw: RawConfig, o: BuildOptions = {}) {
    super(raw);
    this.cfg = parseGPT2Config(raw);
    this.transformer = this.child("transformer", new GPT2Model(this.cfg, o));
    // GPT-2 always ties the head (transformers ignores tie_word_embeddings=false for it in practice).
    this.lmHead = this.child("lm_head", new ModelLinear(this.cfg.nEmbd, this.cfg.vocabSize, false, o));
    if (raw.tie_word_embeddings !== false) this.lmHead.tie(this.transformer.wte.weight);
  }

  get vocabSize(): number {
    return this.cfg.vocabSize;
  }

  protected embedStep(inputIds: Tensor, ctx: DecoderContext): Tensor {
    const last = Math.max(...ctx.positions);
    if (last >= this.cfg.nPositions) {
      throw new RangeError(`position ${last} is beyond n_positions ${this.cfg.nPositions} of this GPT-2`);
    }
    const shape = ctx.sharedPositions ? [ctx.length] : [ctx.batch, ctx.length];
    const pos = Tensor.from(ctx.positions, shape, { device: inputIds.device });
    return this.transformer.wte.call(inputIds).add(this.transformer.wpe.call(pos));
  }

  protected blockList(): nn.ModuleList<DecoderBlock> {
    return this.transformer.h;
  }

  protected headStep(hidden: Tensor): Tensor {
    return this.lmHead.call(this.transformer.lnF.call(hidden));
  }

  override checkpointNames(name: string): string[] {
    // The original OpenAI checkpoints on the Hub have no "transformer." prefix.
    return name.startsWith("transformer.") ? [name, name.slice("transformer.".length)] : [name];
  }

  override checkpointLayoutMatches(name: string): boolean {
    return !CONV1D.test(name);
  }

  override fromCheckpoint(name: string, t: Tensor): Tensor {
    return CONV1D.test(name) ? t.transpose(0, 1) : t;
  }

  override toCheckpoint(name: string, t: Tensor): Tensor {
    return CONV1D.test(name) ? t.transpose(0, 1) : t;
  }
}
