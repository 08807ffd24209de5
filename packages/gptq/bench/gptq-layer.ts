/**
 * GPTQ on one layer at Qwen2.5-0.5B's MLP shapes, down_proj [896 × 4864] and up_proj
 * [4864 × 896] (out × in), 16 × 512 calibration tokens, 4-bit, group 128, block 128, damping 0.01,
 * against a PyTorch port of the IST-DASLab reference algorithm (bench/peers/gptq_ref.py), run back
 * to back. Prints the split (Hessian accumulation, factorisation of H⁻¹, column loop) and the
 * ratio ours / PyTorch, with the load average before each side (the machine is shared).
 *
 *   pnpm --filter @shrinkray/gptq bench:layer [-- ROWSxCOLS ...]
 *
 * Ours: the factorisation is timed on its own on the same damped Hessian gptqQuantize builds, and
 * the column loop is gptqQuantize's time less that.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Generator, linalg, Tensor } from "@shrinkray/tensor-cuda";
import { gptqQuantize, HessianAccumulator } from "../src/index.js";

const [NSEQ, SEQLEN, GROUP, BLOCK, DAMP] = [16, 512, 128, 128, 0.01];
const BITS = 4 as const;
const args = process.argv.slice(2).filter((a) => a !== "--");
const shapes = (args.length ? args : ["896x4864", "4864x896"]).map(
  (s) => s.split("x").map(Number) as [number, number],
);
const python = process.env.PEER_PYTHON ?? "/usr/bin/python3";
const peerScript = fileURLToPath(new URL("./peers/gptq_ref.py", import.meta.url));
const load = () => loadavg()[0].toFixed(2);

interface Split {
  hessian_s: number;
  factor_s: number;
  columns_s: number;
  total_s: number;
}

function ours(rows: number, cols: number): Split {
  const g = new Generator(0);
  const w = Tensor.from(
    Float32Array.from({ length: rows * cols }, () => g.normal() * 0.02),
    [rows, cols],
  );
  const xs = Array.from({ length: NSEQ }, () =>
    Tensor.from(
      Float32Array.from({ length: SEQLEN * cols }, () => g.normal()),
      [1, SEQLEN, cols],
    ),
  );
  const t0 = performance.now();
  const acc = new HessianAccumulator(cols);
  for (const x of xs) acc.add(x);
  const h = acc.hessian();
  const t1 = performance.now();
  gptqQuantize(w, h, { bits: BITS, groupSize: GROUP, blockSize: BLOCK, percDamp: DAMP });
  const t2 = performance.now();
  // The same damped Hessian gptqQuantize factors (no dead columns in random inputs).
  const damped = (h.dataSync() as Float32Array).slice();
  let diag = 0;
  for (let i = 0; i < cols; i++) diag += damped[i * cols + i];
  const damp = Math.fround(Math.fround(DAMP) * Math.fround(diag / cols));
  for (let i = 0; i < cols; i++) damped[i * cols + i] = Math.fround(damped[i * cols + i] + damp);
  // The factorisation the CPU solve runs: H⁻¹'s upper Cholesky factor, in float32.
  const hd = Tensor.from(damped, [cols, cols]);
  const t3 = performance.now();
  linalg.choleskyOfInverse(hd).dispose();
  const factor = (performance.now() - t3) / 1000;
  hd.dispose();
  const quantize = (t2 - t1) / 1000;
  return {
    hessian_s: (t1 - t0) / 1000,
    factor_s: factor,
    columns_s: quantize - factor,
    total_s: (t2 - t0) / 1000,
  };
}

function peer(rows: number, cols: number): Split | null {
  if (!existsSync(python)) {
    console.error(`peer skipped: ${python} missing (apt-get install -y python3-torch)`);
    return null;
  }
  const args = [
    peerScript,
    String(rows),
    String(cols),
    ...[NSEQ, SEQLEN, BITS, GROUP, BLOCK, DAMP].map(String),
  ];
  const r = spawnSync(python, args, { encoding: "utf8" });
  if (r.status !== 0) {
    console.error(`peer failed: ${r.stderr.trim().split("\n").pop()}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

console.log(
  `GPTQ one layer: ${NSEQ} × ${SEQLEN} calibration tokens, ${BITS}-bit, group ${GROUP}, block ${BLOCK}; ` +
    `linalg: ${linalg.implementation()}`,
);
for (const [rows, cols] of shapes) {
  const loadOurs = load();
  const a = ours(rows, cols);
  const loadPeer = load();
  const b = peer(rows, cols);
  console.log(`\n[${rows} × ${cols}] (out × in); load ${loadOurs} (ours), ${loadPeer} (PyTorch)`);
  console.log(`${"phase".padEnd(14)}${"ours".padStart(10)}${"PyTorch".padStart(10)}${"ratio".padStart(8)}`);
  for (const [name, key] of [
    ["Hessian", "hessian_s"],
    ["factorisation", "factor_s"],
    ["column loop", "columns_s"],
    ["total", "total_s"],
  ] as const) {
    const p = b?.[key];
    console.log(
      `${name.padEnd(14)}${`${a[key].toFixed(2)} s`.padStart(10)}${(p === undefined ? "-" : `${p.toFixed(2)} s`).padStart(10)}` +
        `${(p ? (a[key] / p).toFixed(2) : "-").padStart(8)}`,
    );
  }
}
