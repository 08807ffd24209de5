import { createModel } from "@shrinkray/models";
import { crossEntropy, manualSeed, optim, Tensor, tidy } from "@shrinkray/tensor-cuda";

const [d, L, inter, V, B, T] = process.argv.slice(2).map(Number);
manualSeed(0);
const model = createModel(
  {
    model_type: "llama",
    vocab_size: V,
    hidden_size: d,
    intermediate_size: inter,
    num_hidden_layers: L,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 256,
    tie_word_embeddings: true,
  },
  { init: "random" },
);
model.train();
const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
const ids = Tensor.from(
  Int32Array.from({ length: B * (T + 1) }, (_, i) => (i * 7) % V),
  [B, T + 1],
);
for (let s = 0; s < 12; s++) {
  const t0 = performance.now();
  const loss = tidy(() => {
    const logits = model.forward(ids.slice(1, 0, T));
    return crossEntropy(logits, ids.slice(1, 1));
  });
  loss.backward();
  optim.clipGradNorm(model.parameters(), 1);
  opt.step();
  opt.zeroGrad();
  const v = loss.item();
  loss.dispose();
  const dt = performance.now() - t0;
  console.log(s, v.toFixed(3), dt.toFixed(0), "ms", (((B * T) / dt) * 1000).toFixed(0), "tok/s");
}
