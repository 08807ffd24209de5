/**
 * GPTQ on one [3072 x 768] layer (GPT-2-small's MLP up-projection) with 128 calibration
 * sequences of 512 tokens — Hessian accumulation, one sequence per add, then 4-bit, group 128,
 * act-order quantization — against a PyTorch peer of the same algorithm in the same run
 * (bench/peers/gptq_torch.py). Prints ours, the peer's and the ratio (ours / peer; lower is
 * better). Run: pnpm --filter @shrinkray/gptq bench
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import { gptqQuantize, HessianAccumulator } from "../src/index.js";

const [ROWS, COLS, NSEQ, SEQLEN, GROUP, ACT] = [3072, 768, 128, 512, 128, 1];
const BITS = 4 as const;
const threads = Number(process.env.SHRINKRAY_THREADS) || availableParallelism();

const g = new Generator(0);
const w = Tensor.from(
  Float32Array.from({ length: ROWS * COLS }, () => g.normal() * 0.02),
  [ROWS, COLS],
);
const seqs = Array.from({ length: NSEQ }, () =>
  Tensor.from(
    Float32Array.from({ length: SEQLEN * COLS }, () => g.normal()),
    [1, SEQLEN, COLS],
  ),
);

const t0 = performance.now();
const acc = new HessianAccumulator(COLS);
for (const s of seqs) acc.add(s);
const t1 = performance.now();
const q = gptqQuantize(w, acc.hessian(), { bits: BITS, groupSize: GROUP, actOrder: ACT === 1 });
const t2 = performance.now();
const ours = { hessian_ms: t1 - t0, quantize_ms: t2 - t1, total_ms: t2 - t0 };
void q;

let peer: typeof ours | null = null;
const script = fileURLToPath(new URL("../../../bench/peers/gptq_torch.py", import.meta.url));
const python = process.env.PEER_PYTHON ?? "/usr/bin/python3";
if (existsSync(python) && existsSync(script)) {
  const args = [script, "bench", ...[ROWS, COLS, NSEQ, SEQLEN, BITS, GROUP, ACT].map(String)];
  const r = spawnSync(python, args, {
    encoding: "utf8",
    env: { ...process.env, SHRINKRAY_THREADS: String(threads) },
  });
  if (r.status === 0) peer = JSON.parse(r.stdout.trim().split("\n").pop()!);
  else console.error(`peer failed (${python} ${script}): ${r.stderr.trim().split("\n").pop()}`);
} else console.error(`peer skipped: ${python} or ${script} missing (apt-get install -y python3-torch)`);

console.log(
  `GPTQ [${ROWS} x ${COLS}], ${NSEQ} x ${SEQLEN} tokens, ${BITS}-bit, group ${GROUP}, act-order; ${threads} threads`,
);
console.log(`${"phase".padEnd(12)} ${"ours".padStart(10)} ${"torch".padStart(10)} ${"ratio".padStart(7)}`);
for (const [name, key] of [
  ["hessian", "hessian_ms"],
  ["quantize", "quantize_ms"],
  ["total", "total_ms"],
] as const) {
  const p = peer?.[key];
  const fmt = (ms: number | undefined) => (ms === undefined ? "-" : `${ms.toFixed(0)} ms`);
  console.log(
    `${name.padEnd(12)} ${fmt(ours[key]).padStart(10)} ${fmt(p).padStart(10)} ${(p ? (ours[key] / p).toFixed(2) : "-").padStart(7)}`,
  );
}
