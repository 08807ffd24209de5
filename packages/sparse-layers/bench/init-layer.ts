/**
 * Grouped + low-rank initialisation (`decompose`, what groupedLoraFromLinear runs) of one layer at Qwen2.5-0.5B's MLP shapes, gate_proj
 * [4864 × 896] and down_proj [896 × 4864] (out × in), 4 groups, rank 64: plain (blocks of W and
 * the truncated SVD of the remainder) and activation-aware (the remainder whitened by the
 * Cholesky factor of a calibration Gram matrix of 16 × 512 tokens), against a PyTorch block copy
 * + torch.linalg.svd (+ Cholesky) (bench/peers/init_torch.py), run back to back. Prints seconds,
 * the ratio ours / PyTorch, both sides' reconstruction error (they should agree: same algorithm,
 * i.i.d. random weights), and the load average before each side.
 *
 *   pnpm --filter @shrinkray/sparse-layers bench:init
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Generator, linalg, matmul, nn, sqrt, square, sub, sum, Tensor } from "@shrinkray/tensor-cuda";
import { decompose, GramAccumulator } from "../src/index.js";

const [GROUPS, RANK, TOKENS] = [4, 64, 16 * 512];
const shapes: [string, number, number][] = [
  ["gate_proj", 4864, 896],
  ["down_proj", 896, 4864],
];
const python = process.env.PEER_PYTHON ?? "/usr/bin/python3";
const peerScript = fileURLToPath(new URL("./peers/init_torch.py", import.meta.url));
const load = () => loadavg()[0].toFixed(2);
const norm = (t: Tensor) => sqrt(sum(square(t))).item();

function peer(rows: number, cols: number, mode: string): { seconds: number; rel_error: number } | null {
  if (!existsSync(python)) return null;
  const r = spawnSync(python, [peerScript, ...[rows, cols, GROUPS, RANK].map(String), mode, String(TOKENS)], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    console.error(`peer failed: ${r.stderr.trim().split("\n").pop()}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

console.log(`grouped + low-rank init, g${GROUPS} r${RANK}; linalg: ${linalg.implementation()}`);
console.log(
  `${"layer".padEnd(24)}${"ours".padStart(9)}${"PyTorch".padStart(9)}${"ratio".padStart(7)}` +
    `${"err ours".padStart(10)}${"err torch".padStart(10)}   load (ours, PyTorch)`,
);
for (const [name, rows, cols] of shapes) {
  const g = new Generator(0);
  const lin = new nn.Linear(cols, rows, { bias: false, generator: g });
  lin.weight.assign(Tensor.randn([rows, cols], { generator: g }).mul(0.02));
  const acc = new GramAccumulator(cols);
  const tg = performance.now();
  for (let s = 0; s < 16; s++) acc.add(Tensor.randn([512, cols], { generator: g }));
  const gramS = (performance.now() - tg) / 1000;
  for (const mode of ["plain", "aware"] as const) {
    const loadOurs = load();
    const t0 = performance.now();
    const dec = decompose(lin.weight, {
      groups: GROUPS,
      rank: RANK,
      gram: mode === "aware" ? acc.gram : null,
    });
    const seconds = (performance.now() - t0) / 1000;
    // The same error measure as the peer: of the low-rank fit to the remainder (W's blocks are
    // copied exactly), in weight space or whitened.
    const e = sub(remainder(lin.weight), matmul(dec.B, dec.A));
    let error = norm(e) / norm(lin.weight);
    if (mode === "aware") {
      const l = linalg
        .cholesky(Tensor.from(ridged(acc.gram.data, cols), [cols, cols], { dtype: "float64" }))
        .cast("float32");
      error = norm(matmul(e, l)) / norm(matmul(lin.weight, l));
    }
    const loadPeer = load();
    const p = peer(rows, cols, mode);
    const label = `${name} [${rows}×${cols}] ${mode}`;
    console.log(
      `${label.padEnd(24)}${`${seconds.toFixed(2)} s`.padStart(9)}${(p ? `${p.seconds.toFixed(2)} s` : "-").padStart(9)}` +
        `${(p ? (seconds / p.seconds).toFixed(2) : "-").padStart(7)}${error.toFixed(4).padStart(10)}` +
        `${(p ? p.rel_error.toFixed(4) : "-").padStart(10)}   ${loadOurs}, ${loadPeer}`,
    );
  }
  console.log(`  (Gram of ${TOKENS} tokens accumulated in float64 beforehand: ${gramS.toFixed(2)} s)`);
}

/** W with its diagonal blocks zeroed (no permutation: the default). */
function remainder(w: Tensor): Tensor {
  const [rows, cols] = w.shape;
  const r = (w.dataSync() as Float32Array).slice();
  const [op, ip] = [rows / GROUPS, cols / GROUPS];
  for (let b = 0; b < GROUPS; b++)
    for (let o = b * op; o < (b + 1) * op; o++) r.fill(0, o * cols + b * ip, o * cols + (b + 1) * ip);
  return Tensor.from(r, [rows, cols]);
}

/** G + 0.01·mean(diag G)·I, the ridge decompose adds by default. */
function ridged(g: Float64Array, n: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += g[i * n + i] / n;
  const out = g.slice();
  for (let i = 0; i < n; i++) out[i * n + i] += 0.01 * mean;
  return out;
}
