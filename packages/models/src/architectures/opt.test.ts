import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crossEntropy, Generator, io, nn, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { loadPretrained } from "../load.js";
import { createModel } from "../registry.js";

const TINY_OPT = {
  model_type: "opt",
  vocab_size: 50,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  ffn_dim: 64,
  max_position_embeddings: 24,
  do_layer_norm_before: true,
  word_embed_proj_dim: 32,
  activation_function: "relu",
  bos_token_id: 2,
  eos_token_id: 2,
  pad_token_id: 1,
};

const ids = Tensor.from(Int32Array.from([2, 5, 9, 14, 3, 7, 22, 41, 2, 8, 30, 11, 6, 19, 25, 4]), [2, 8]);

describe("a tiny OPT made here", () => {
  for (const variant of [
    { name: "pre-LN", cfg: {} },
    { name: "post-LN with project_in/out", cfg: { do_layer_norm_before: false, word_embed_proj_dim: 16 } },
  ]) {
    it(`${variant.name}: forward, backward, save → loadPretrained reproduces logits exactly`, async () => {
      const model = createModel({ ...TINY_OPT, ...variant.cfg }, { init: "random" });
      const logits = model.forward(ids);
      expect(logits.shape).toEqual([2, 8, 50]);
      const loss = crossEntropy(logits.slice(1, 0, 7), ids.slice(1, 1));
      loss.backward();
      const q = model.getParameter("model.decoder.layers.1.self_attn.q_proj.weight");
      expect(q.grad?.shape).toEqual([32, 32]);
      expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
      expect(model.get("model.decoder.layers.0.fc1")).toBeInstanceOf(nn.Linear);

      const dir = await mkdtemp(join(tmpdir(), "opt-"));
      await model.save(dir);
      const files = (await readdir(dir)).sort();
      expect(files).toEqual(["config.json", "model.safetensors"]);
      // Tied head saved once, under the embedding's name.
      const stored = await io.SafetensorsFile.open(join(dir, "model.safetensors"));
      expect(stored.has("lm_head.weight")).toBe(false);
      expect(stored.has("model.decoder.embed_tokens.weight")).toBe(true);
      await stored.close();

      const back = await loadPretrained(dir);
      const a = noGrad(() => model.forward(ids)).dataSync();
      const b = noGrad(() => back.forward(ids)).dataSync();
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
      expect(JSON.parse(await readFile(join(dir, "config.json"), "utf8")).model_type).toBe("opt");
    });
  }

  it("the DecoderView runs the same computation block by block", () => {
    const model = createModel(TINY_OPT, { init: "random" });
    const view = model.decoderView();
    expect(view.blocks.length).toBe(2);
    expect(view.blockName(1)).toBe("model.decoder.layers.1");
    noGrad(() => {
      let { hidden, context } = view.embed(ids);
      for (let i = 0; i < view.blocks.length; i++) hidden = view.runBlock(i, hidden, context);
      const viaView = view.head(hidden).dataSync();
      const direct = model.forward(ids).dataSync();
      expect(Buffer.from(viaView.buffer).equals(Buffer.from(direct.buffer))).toBe(true);
    });
  });

  it("replace() of a projection reaches the forward", () => {
    const model = createModel(TINY_OPT, { init: "random" });
    const path = "model.decoder.layers.0.self_attn.out_proj";
    const zero = new nn.Linear(32, 32, { generator: new Generator(1) });
    noGrad(() => {
      zero.weight.assign(Tensor.zeros([32, 32]));
      zero.bias!.assign(Tensor.zeros([32]));
    });
    const before = noGrad(() => model.forward(ids)).dataSync();
    model.replace(path, zero);
    const after = noGrad(() => model.forward(ids)).dataSync();
    expect(Buffer.from(after.buffer).equals(Buffer.from(before.buffer))).toBe(false);
    expect(model.get(path)).toBe(zero);
  });
});
