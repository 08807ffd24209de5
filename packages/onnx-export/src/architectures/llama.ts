/**
 * Llama, Mistral, Qwen2 and Qwen3 (models' LlamaForCausalLM) as a decoder graph: RMSNorm
 * pre-norm blocks, q/k/v (with Qwen2's biases, Qwen3's per-head q/k norms), rotate-half RoPE
 * from the model's own inv_freq (so default, linear and llama3 rope_scaling are all exact),
 * grouped-query attention with the KV cache, SwiGLU MLP, and a head tied or not.
 */
import type { LlamaForCausalLM } from "@shrinkray/models";
import type { nn } from "@shrinkray/tensor-cuda";
import { cachedAttention } from "../decoder/attention.js";
import { embed, lmHead } from "../decoder/embed-head.js";
import { attentionBias, decoderInputs, decoderOutputs } from "../decoder/io.js";
import { norm } from "../decoder/norms.js";
import { rope, rotaryTables, silu, splitHeads } from "../graph/nn.js";
import type { LinearLowering } from "../layers/linear.js";

export async function llamaGraph(model: LlamaForCausalLM, low: LinearLowering): Promise<void> {
  const { g } = low;
  const c = model.cfg;
  const { numHeads: H, numKvHeads: KV, headDim: D } = c;
  const get = (path: string) => model.get<nn.AnyModule>(path);
  const io = decoderInputs(g, c.numLayers, KV, D);
  const bias = g.scoped("model.attention_bias", () => attentionBias(g, io));
  const embedding = model.model.embedTokens;
  let h = await embed(low, "model.embed_tokens", embedding, io.inputIds);
  const invFreq = g.weight("model.rotary_emb.inv_freq", c.rope.invFreq, [D / 2]);
  const { cos, sin } = g.scoped("model.rotary_emb", () => rotaryTables(g, io.positionIds, invFreq));
  const present: { key: string; value: string }[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    const x = await norm(low, `${p}.input_layernorm`, get(`${p}.input_layernorm`), h);
    const proj = (n: string, input: string) => low.apply(`${p}.${n}`, get(`${p}.${n}`), input);
    const heads = async (n: string, y: string, count: number) => {
      if (!c.qkNorm) return splitHeads(g, y, count, D);
      const y4 = g.op("Reshape", [y, g.int64s([0, 0, count, D])]);
      const normed = await norm(low, `${p}.self_attn.${n}`, get(`${p}.self_attn.${n}`), y4);
      return g.op("Transpose", [normed], { perm: { ints: [0, 2, 1, 3] } });
    };
    const q = await heads("q_norm", await proj("self_attn.q_proj", x), H);
    const k = await heads("k_norm", await proj("self_attn.k_proj", x), KV);
    const v = splitHeads(g, await proj("self_attn.v_proj", x), KV, D);
    const attn = g.scoped(`${p}.self_attn`, () =>
      cachedAttention(g, {
        q: rope(g, q, cos, sin, D),
        k: rope(g, k, cos, sin, D),
        v,
        pastKey: io.past[i].key,
        pastValue: io.past[i].value,
        bias,
        heads: H,
        kvHeads: KV,
        headDim: D,
      }),
    );
    present.push({ key: attn.presentKey, value: attn.presentValue });
    h = g.op("Add", [h, await proj("self_attn.o_proj", attn.out)]);
    const m = await norm(low, `${p}.post_attention_layernorm`, get(`${p}.post_attention_layernorm`), h);
    const gate = silu(g, await proj("mlp.gate_proj", m));
    const up = await proj("mlp.up_proj", m);
    h = g.op("Add", [h, await proj("mlp.down_proj", g.op("Mul", [gate, up]))]);
  }
  h = await norm(low, "model.norm", get("model.norm"), h);
  const tied = { name: "model.embed_tokens", weight: embedding.weight };
  const logits = await lmHead(low, "lm_head", get("lm_head"), tied, h);
  decoderOutputs(g, logits, present, c.vocabSize, KV, D);
}
