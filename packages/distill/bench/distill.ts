/**
 * Student training throughput: a GPT-2-small-shaped student (12 layers, d=768, vocab 50257, tied
 * head) distilled from a teacher of the same width and twice its depth, one optimizer step per
 * batch (teacher forward without gradients, student forward, forward-KL loss, backward, clipping,
 * AdamW), through distill() itself. Against a PyTorch peer doing the same step on the same machine
 * and thread count (bench/peers/distill_torch.py). Prints ours / peer / ratio (lower is better).
 *
 * Run: pnpm --filter @shrinkray/distill bench [-- --layers 12 --tokens 128 --batch 1 --steps 4]
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type CausalLM, createModel } from "@shrinkray/models";
import { Tensor } from "@shrinkray/tensor-cuda";
import { distill, type Sequence } from "../src/index.js";

const { values } = parseArgs({
  options: {
    layers: { type: "string", default: "12" },
    tokens: { type: "string", default: "128" },
    batch: { type: "string", default: "1" },
    steps: { type: "string", default: "4" },
  },
});
const L = Number(values.layers);
const T = Number(values.tokens);
const B = Number(values.batch);
const STEPS = Number(values.steps);
const threads = Number(process.env.SHRINKRAY_THREADS) || availableParallelism();
const VOCAB = 50257;

function gpt2(layers: number): CausalLM {
  const m = createModel({
    model_type: "gpt2",
    vocab_size: VOCAB,
    n_positions: 1024,
    n_embd: 768,
    n_layer: layers,
    n_head: 12,
  });
  // Random weights without a Box-Muller stream over 100M+ values: a xorshift uniform with std
  // 0.02; LayerNorm gains stay one, biases zero.
  let s = 0x9e3779b9 ^ layers;
  for (const [name, p] of m.namedParameters()) {
    if (/ln_|bias/.test(name)) continue;
    const a = new Float32Array(p.size);
    for (let i = 0; i < a.length; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      a[i] = ((s >>> 0) / 4294967296 - 0.5) * 0.0693;
    }
    p.assign(Tensor.from(a, p.shape));
  }
  return m;
}

const teacher = gpt2(2 * L).eval();
const student = gpt2(L);
const data: Sequence[] = Array.from({ length: B * (STEPS + 1) }, (_, r) => {
  const ids = Array.from({ length: T }, (_, i) => (r * 7919 + i * 104729) % VOCAB);
  return { ids, targets: ids.map((_, i) => (i > 0 ? 1 : 0)) };
});
const stepSeconds: number[] = [];
let last = performance.now();
await distill({
  teacher,
  student,
  data,
  steps: STEPS + 1,
  batchSize: B,
  shuffle: false,
  optimizer: { lr: 1e-4 },
  schedule: "constant",
  onProgress: () => {
    const now = performance.now();
    stepSeconds.push((now - last) / 1000);
    last = now;
  },
});
// The first step allocates optimizer state and builds ORT sessions: not steady state.
const steady = stepSeconds.slice(1).sort((a, b) => a - b);
const ours = (B * T) / steady[Math.floor(steady.length / 2)];

let peer: number | null = null;
const script = fileURLToPath(new URL("../../../bench/peers/distill_torch.py", import.meta.url));
if (existsSync("/usr/bin/python3") && existsSync(script)) {
  const r = spawnSync("/usr/bin/python3", [script, String(L), String(T), String(B), String(STEPS)], {
    env: { ...process.env, SHRINKRAY_THREADS: String(threads) },
    encoding: "utf8",
  });
  if (r.status === 0) peer = JSON.parse(r.stdout.trim().split("\n").at(-1)!).tok_per_s;
  else console.error(`peer failed: ${r.stderr.slice(-500)}`);
}

console.log(
  `GPT-2-small-shaped student (${L} layers, ${(student.numParameters() / 1e6).toFixed(0)}M params) from a ${2 * L}-layer teacher, ` +
    `batch ${B}×${T}, ${STEPS} timed steps, ${threads} threads`,
);
console.log("metric                  ours tok/s   peer tok/s   time ratio (ours/peer)");
const ratio = peer ? (peer / ours).toFixed(2) : "n/a";
console.log(
  `student train tokens/s  ${ours.toFixed(1).padStart(10)}   ${peer ? peer.toFixed(1).padStart(10) : "       n/a"}   ${ratio}`,
);
