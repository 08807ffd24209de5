import { Generator, nn, scaledDotProductAttention, Tensor } from "@shrinkray/tensor-cuda";

export interface CharGptConfig {
  vocab: number;
  context: number;
  dim: number;
  heads: number;
  layers: number;
}

/** A pre-LN GPT block (the GPT-2 layout) built from tensor-cuda's nn modules. */
class Block extends nn.Module {
  ln1: nn.LayerNorm;
  qkv: nn.Linear;
  proj: nn.Linear;
  ln2: nn.LayerNorm;
  fc: nn.Linear;
  out: nn.Linear;

  constructor(
    private readonly cfg: CharGptConfig,
    generator: Generator,
  ) {
    super();
    const d = cfg.dim;
    this.ln1 = this.child("ln1", new nn.LayerNorm(d));
    this.qkv = this.child("qkv", new nn.Linear(d, 3 * d, { generator }));
    this.proj = this.child("proj", new nn.Linear(d, d, { generator }));
    this.ln2 = this.child("ln2", new nn.LayerNorm(d));
    this.fc = this.child("fc", new nn.Linear(d, 4 * d, { generator }));
    this.out = this.child("out", new nn.Linear(4 * d, d, { generator }));
  }

  forward(x: Tensor): Tensor {
    const [B, T, C] = x.shape;
    const h = this.cfg.heads;
    const [q, k, v] = this.qkv
      .call(this.ln1.call(x))
      .split(C, -1)
      .map((z) => z.reshape([B, T, h, C / h]).transpose(1, 2));
    const att = scaledDotProductAttention(q, k, v, { causal: true }).transpose(1, 2).reshape([B, T, C]);
    const x1 = x.add(this.proj.call(att));
    return x1.add(this.out.call(this.fc.call(this.ln2.call(x1)).gelu("tanh")));
  }
}

/** A character-level GPT: token and position embeddings, blocks, final norm, tied head. */
export class CharGpt extends nn.Module {
  wte: nn.Embedding;
  wpe: nn.Embedding;
  blocks: nn.ModuleList<Block>;
  lnF: nn.LayerNorm;

  constructor(
    readonly cfg: CharGptConfig,
    seed = 0,
  ) {
    super();
    const generator = new Generator(seed);
    this.wte = this.child("wte", new nn.Embedding(cfg.vocab, cfg.dim, { generator }));
    this.wpe = this.child("wpe", new nn.Embedding(cfg.context, cfg.dim, { generator }));
    // GPT-2 initialises embeddings with std 0.02; N(0, 1) would swamp the residual stream.
    this.wte.weight.assign(this.wte.weight.mul(0.02));
    this.wpe.weight.assign(this.wpe.weight.mul(0.02));
    this.blocks = this.child(
      "blocks",
      new nn.ModuleList(Array.from({ length: cfg.layers }, () => new Block(cfg, generator))),
    );
    this.lnF = this.child("ln_f", new nn.LayerNorm(cfg.dim));
  }

  /** ids int32 [B, T] → logits [B, T, vocab]. */
  forward(ids: Tensor): Tensor {
    const T = ids.shape[1];
    let x = this.wte.call(ids).add(this.wpe.call(Tensor.arange(T)));
    for (const b of this.blocks) x = b.call(x);
    return this.lnF.call(x).matmul(this.wte.weight.transpose(0, 1));
  }
}
