/**
 * GPT-2 (models' GPT2LMHeadModel) as a decoder graph: learned positions read at position_ids,
 * LayerNorm pre-norm blocks, the fused q/k/v projection split three ways, GELU (tanh or erf) or
 * ReLU, and the head tied to the token embedding.
 */
import type { GPT2LMHeadModel } from "@shrinkray/models";
import type { nn } from "@shrinkray/tensor-cuda";
import { cachedAttention } from "../decoder/attention.js";
import { embed, lmHead } from "../decoder/embed-head.js";
import { attentionBias, decoderInputs, decoderOutputs } from "../decoder/io.js";
import { norm } from "../decoder/norms.js";
import { gelu, splitHeads } from "../graph/nn.js";
import type { LinearLowering } from "../layers/linear.js";

export async function gpt2Graph(model: GPT2LMHeadModel, low: LinearLowering): Promise<void> {
  const { g } = low;
  const c = model.cfg;
  const H = c.nHead;
  const C = c.nEmbd;
  const D = C / H;
  const get = (path: string) => model.get<nn.AnyModule>(path);
  const io = decoderInputs(g, c.nLayer, H, D);
  const bias = g.scoped("transformer.attention_bias", () => attentionBias(g, io));
  const wte = model.transformer.wte;
  const tokens = await embed(low, "transformer.wte", wte, io.inputIds);
  let h = g.op("Add", [tokens, await embed(low, "transformer.wpe", model.transformer.wpe, io.positionIds)]);
  const present: { key: string; value: string }[] = [];
  for (let i = 0; i < c.nLayer; i++) {
    const p = `transformer.h.${i}`;
    const proj = (n: string, input: string) => low.apply(`${p}.${n}`, get(`${p}.${n}`), input);
    const x = await norm(low, `${p}.ln_1`, get(`${p}.ln_1`), h);
    const qkv = await proj("attn.c_attn", x);
    const [q, k, v] = g
      .opN("Split", [qkv, g.int64s([C, C, C])], 3, { axis: { int: -1 } })
      .map((t) => splitHeads(g, t, H, D));
    const attn = g.scoped(`${p}.attn`, () =>
      cachedAttention(g, {
        q,
        k,
        v,
        pastKey: io.past[i].key,
        pastValue: io.past[i].value,
        bias,
        heads: H,
        kvHeads: H,
        headDim: D,
      }),
    );
    present.push({ key: attn.presentKey, value: attn.presentValue });
    h = g.op("Add", [h, await proj("attn.c_proj", attn.out)]);
    const m = await norm(low, `${p}.ln_2`, get(`${p}.ln_2`), h);
    const f = await proj("mlp.c_fc", m);
    const act =
      c.activation === "relu" ? g.op("Relu", [f]) : gelu(g, f, c.activation === "gelu_new" ? "tanh" : "none");
    h = g.op("Add", [h, await proj("mlp.c_proj", act)]);
  }
  h = await norm(low, "transformer.ln_f", get("transformer.ln_f"), h);
  const logits = await lmHead(
    low,
    "lm_head",
    get("lm_head"),
    { name: "transformer.wte", weight: wte.weight },
    h,
  );
  decoderOutputs(g, logits, present, c.vocabSize, H, D);
}
