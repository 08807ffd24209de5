import type { Device } from "../src/index.js";
import {
  crossEntropy,
  embedding,
  layerNorm,
  linear,
  scaledDotProductAttention,
  Tensor,
  tidy,
} from "../src/index.js";

/**
 * GPT-2 small (12 layers, d 768, 12 heads, vocab 50257, tied LM head) written with tensor-cuda's
 * ops, exactly as bench/peers/cuda_peer.py writes it in PyTorch, for the training-step benchmark.
 */
export function gpt2Small(
  device: Device,
  opts: { layers?: number; vocab?: number; d?: number; heads?: number } = {},
) {
  const L = opts.layers ?? 12;
  const V = opts.vocab ?? 50257;
  const d = opts.d ?? 768;
  const h = opts.heads ?? 12;
  const p = (shape: number[], std = 0.02) => Tensor.randn(shape).mul(std).to(device).requiresGrad_();
  const ones = (n: number) => Tensor.ones([n]).to(device).requiresGrad_();
  const zeros = (n: number) => Tensor.zeros([n]).to(device).requiresGrad_();
  const blocks = Array.from({ length: L }, () => ({
    ln1w: ones(d),
    ln1b: zeros(d),
    qkvW: p([3 * d, d]),
    qkvB: zeros(3 * d),
    projW: p([d, d]),
    projB: zeros(d),
    ln2w: ones(d),
    ln2b: zeros(d),
    fcW: p([4 * d, d]),
    fcB: zeros(4 * d),
    outW: p([d, 4 * d]),
    outB: zeros(d),
  }));
  const wte = p([V, d]);
  const wpe = p([1024, d], 0.01);
  const lnfW = ones(d);
  const lnfB = zeros(d);
  const params = [wte, wpe, lnfW, lnfB, ...blocks.flatMap((b) => Object.values(b))];

  /** Mean next-token cross-entropy of ids [B, T]. */
  const loss = (ids: Tensor, targets: Tensor, positions: Tensor) => {
    const [B, T] = ids.shape;
    let x = embedding(wte, ids).add(embedding(wpe, positions));
    for (const b of blocks) {
      const qkv = linear(layerNorm(x, b.ln1w, b.ln1b), b.qkvW, b.qkvB);
      const [q, k, v] = qkv.split(d, -1).map((z) => z.reshape([B, T, h, d / h]).transpose(1, 2));
      const att = scaledDotProductAttention(q, k, v, { causal: true });
      x = x.add(linear(att.transpose(1, 2).reshape([B, T, d]), b.projW, b.projB));
      const m = linear(linear(layerNorm(x, b.ln2w, b.ln2b), b.fcW, b.fcB).gelu("tanh"), b.outW, b.outB);
      x = x.add(m);
    }
    const logits = linear(layerNorm(x, lnfW, lnfB), wte);
    return crossEntropy(logits, targets);
  };
  return { params, loss, vocab: V };
}

/**
 * One forward + backward of `model` on a fixed [B, T] batch on the model's device (the batch
 * made once), gradients dropped after each step: the step the GPU check and bench:host time.
 */
export function trainingStep(
  model: ReturnType<typeof gpt2Small>,
  device: Device,
  B: number,
  T: number,
): () => void {
  const tokens = (mul: number, add: number) =>
    Tensor.from(
      Int32Array.from({ length: B * T }, (_, i) => (i * mul + add) % model.vocab),
      [B, T],
      { dtype: "int32" },
    ).to(device);
  const ids = tokens(7919, 0);
  const targets = tokens(104729, 1);
  const positions = Tensor.arange(T, undefined, 1, { dtype: "int32" }).to(device);
  return () =>
    tidy(() => {
      model.loss(ids, targets, positions).backward();
      for (const p of model.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    });
}
