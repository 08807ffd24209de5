/**
 * Prefill and decode throughput on Qwen2.5-0.5B's shape with random weights (24 layers,
 * d=896, 14/2 heads of 64, intermediate 4864, vocab 151936, tied head), against a PyTorch
 * peer of the same shape on the same machine and thread count
 * (bench/peers/models_prefill_torch.py). Prints ours / peer / ratio (lower is better).
 *
 * Run: pnpm --filter @shrinkray/models bench [-- --layers 24 --tokens 128 --decode 16 --reps 3]
 * Both sides compute logits for every prefill position, as a transformers forward does.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { createModel } from "../src/index.js";

const { values } = parseArgs({
  options: {
    layers: { type: "string", default: "24" },
    tokens: { type: "string", default: "128" },
    decode: { type: "string", default: "16" },
    reps: { type: "string", default: "3" },
  },
});
const LAYERS = Number(values.layers);
const T = Number(values.tokens);
const STEPS = Number(values.decode);
const REPS = Number(values.reps);
const threads = Number(process.env.SHRINKRAY_THREADS) || (await import("node:os")).availableParallelism();

const model = createModel({
  model_type: "qwen2",
  vocab_size: 151936,
  hidden_size: 896,
  intermediate_size: 4864,
  num_hidden_layers: LAYERS,
  num_attention_heads: 14,
  num_key_value_heads: 2,
  head_dim: 64,
  rope_theta: 1e6,
  rms_norm_eps: 1e-6,
  tie_word_embeddings: true,
}).eval();

// Random weights without the seconds a Box-Muller stream over 500M values would take: a
// xorshift uniform in [-0.035, 0.035] (std 0.02), norms left at one.
let s = 0x9e3779b9;
for (const [name, p] of model.namedParameters()) {
  if (name.endsWith("layernorm.weight") || name === "model.norm.weight") continue;
  const a = new Float32Array(p.size);
  for (let i = 0; i < a.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = ((s >>> 0) / 4294967296 - 0.5) * 0.0693;
  }
  p.assign(Tensor.from(a, p.shape));
}
const params = model.numParameters();

function median(fn: () => void, reps: number): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)] / 1000;
}

const ids = Tensor.from(
  Int32Array.from({ length: T }, (_, i) => (i * 7919) % 151936),
  [1, T],
);
const prefill = median(() => noGrad(() => model.forward(ids).dataSync()), REPS);

function decodeOnce(): number {
  const cache = model.newCache();
  noGrad(() => model.forward(ids, { cache, logitsToKeep: 1 }));
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++)
    noGrad(() => model.forward(Tensor.from(Int32Array.of(0), [1, 1]), { cache }).dataSync());
  return (performance.now() - t0) / 1000;
}
const decode = Math.min(decodeOnce(), decodeOnce());

const ours = { prefill: T / prefill, decode: STEPS / decode };
const peer: Record<string, number> = {};
const script = fileURLToPath(new URL("../../../bench/peers/models_prefill_torch.py", import.meta.url));
if (existsSync("/usr/bin/python3") && existsSync(script)) {
  const r = spawnSync("/usr/bin/python3", [script, String(LAYERS), String(T), String(STEPS), String(REPS)], {
    env: { ...process.env, SHRINKRAY_THREADS: String(threads) },
    encoding: "utf8",
  });
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const o = JSON.parse(line);
    peer[o.name] = o.tok_per_s;
  }
  if (r.status !== 0) console.error(`peer failed: ${r.stderr.slice(-500)}`);
}

console.log(
  `Qwen2.5-0.5B shape, ${LAYERS} layers (${(params / 1e6).toFixed(0)}M params), ${threads} threads, prefill ${T} tokens, decode ${STEPS} tokens`,
);
console.log("metric              ours tok/s   peer tok/s   time ratio (ours/peer)");
for (const k of ["prefill", "decode"] as const) {
  const p = peer[k];
  const ratio = p ? (p / ours[k]).toFixed(2) : "n/a";
  console.log(
    `${k.padEnd(18)}  ${ours[k].toFixed(1).padStart(10)}   ${p ? p.toFixed(1).padStart(10) : "       n/a"}   ${ratio}`,
  );
}
