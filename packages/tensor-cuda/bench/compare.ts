/**
 * tensor-cuda (CPU) against PyTorch on the same machine, in the same run: GEMMs, one
 * GPT-2-small block forward and forward+backward, and the fixed cost of a tiny op.
 * Prints our time, the peer's and the ratio (ours / peer; lower is better). Run: pnpm bench
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cpuThreads } from "../src/backend/cpu/ort-session.js";
import { layerNorm, linear, noGrad, scaledDotProductAttention, Tensor } from "../src/index.js";

function bench(fn: () => void, reps: number): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

const ours = new Map<string, number>();
for (const n of [256, 1024, 2048]) {
  const a = Tensor.randn([n, n]);
  const b = Tensor.randn([n, n]);
  ours.set(
    `matmul ${n}^3`,
    bench(() => a.matmul(b), n < 2048 ? 20 : 5),
  );
}
{
  const x = Tensor.randn([4096, 768]);
  const w = Tensor.randn([3072, 768]);
  ours.set(
    "linear [4096x768]x[768x3072]",
    bench(() => linear(x, w), 5),
  );
}

/** GPT-2 block exactly as the peer writes it (pre-LN, fused qkv, tanh GELU). */
function gpt2Block(d = 768, h = 12) {
  const p = (shape: number[], std = 0.02) => Tensor.randn(shape).mul(std).detach().requiresGrad_();
  const params = {
    ln1w: Tensor.ones([d]).requiresGrad_(),
    ln1b: Tensor.zeros([d]).requiresGrad_(),
    ln2w: Tensor.ones([d]).requiresGrad_(),
    ln2b: Tensor.zeros([d]).requiresGrad_(),
    qkvW: p([3 * d, d]),
    qkvB: Tensor.zeros([3 * d]).requiresGrad_(),
    projW: p([d, d]),
    projB: Tensor.zeros([d]).requiresGrad_(),
    fcW: p([4 * d, d]),
    fcB: Tensor.zeros([4 * d]).requiresGrad_(),
    outW: p([d, 4 * d]),
    outB: Tensor.zeros([d]).requiresGrad_(),
  };
  const forward = (x: Tensor) => {
    const [B, T, C] = x.shape;
    const qkv = linear(layerNorm(x, params.ln1w, params.ln1b), params.qkvW, params.qkvB);
    const [q, k, v] = qkv.split(C, -1).map((z) => z.reshape([B, T, h, C / h]).transpose(1, 2));
    const att = scaledDotProductAttention(q, k, v, { causal: true });
    const x1 = x.add(linear(att.transpose(1, 2).reshape([B, T, C]), params.projW, params.projB));
    const m = linear(
      linear(layerNorm(x1, params.ln2w, params.ln2b), params.fcW, params.fcB).gelu("tanh"),
      params.outW,
      params.outB,
    );
    return x1.add(m);
  };
  return { params, forward };
}
{
  const blk = gpt2Block();
  const xb = Tensor.randn([4, 256, 768]).requiresGrad_();
  ours.set(
    "gpt2-block fwd+bwd (4x256, d=768)",
    bench(() => {
      for (const t of Object.values(blk.params)) t.grad = null;
      xb.grad = null;
      blk.forward(xb).square().mean().backward();
    }, 5),
  );
  ours.set(
    "gpt2-block fwd (4x256, d=768)",
    bench(() => noGrad(() => blk.forward(xb)), 5),
  );
}
{
  const a = Tensor.randn([64]);
  const b = Tensor.randn([64]);
  ours.set(
    "add [64]+[64] (per-op overhead)",
    bench(() => {
      for (let i = 0; i < 1000; i++) a.add(b);
    }, 5) / 1000,
  );
}

// The peer runs after us so the two never compete for the cores.
const peer = new Map<string, number>();
const script = fileURLToPath(new URL("../../../bench/peers/torch_cpu.py", import.meta.url));
const python = process.env.PEER_PYTHON ?? "/usr/bin/python3";
if (existsSync(python) && existsSync(script)) {
  const r = spawnSync(python, [script], {
    encoding: "utf8",
    env: { ...process.env, SHRINKRAY_THREADS: String(cpuThreads()) },
  });
  if (r.status === 0) {
    for (const line of r.stdout.trim().split("\n")) {
      const { name, ms } = JSON.parse(line);
      peer.set(name, ms);
    }
  } else console.error(`peer failed (${python} ${script}): ${r.stderr.trim().split("\n").pop()}`);
} else
  console.error(
    `peer skipped: ${python} or ${script} missing (apt-get install -y python3-torch libopenblas0-pthread)`,
  );

const fmtMs = (ms: number | undefined) =>
  ms === undefined ? "-" : ms < 1 ? `${(ms * 1000).toFixed(2)} µs` : `${ms.toFixed(2)} ms`;
console.log(`tensor-cuda CPU vs PyTorch (${cpuThreads()} threads), median of repeated runs`);
console.log(
  `${"benchmark".padEnd(38)} ${"ours".padStart(11)} ${"torch".padStart(11)} ${"ratio".padStart(7)}`,
);
for (const [name, ms] of ours) {
  const p = peer.get(name);
  const ratio = p ? (ms / p).toFixed(2) : "-";
  console.log(`${name.padEnd(38)} ${fmtMs(ms).padStart(11)} ${fmtMs(p).padStart(11)} ${ratio.padStart(7)}`);
}
