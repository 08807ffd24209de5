/**
 * GPTQ on a CUDA device: parity with the host gptqQuantize, then one [4096 x 4096] layer timed
 * (Hessian from 128 × 512 calibration tokens on the device, then 4-bit, group 128 quantization,
 * without and with act-order), against the PyTorch peer of the same algorithm on the same GPU
 * (bench/peers/gptq_torch.py with PEER_DEVICE=cuda), run by tensor-cuda's scripts/gpu/run.sh;
 * then one decoding step through the quantized layer (fused int4 GEMV vs float32 cuBLAS).
 *
 *   tsx bench/gptq-cuda.ts [parity|bench|all] [--emulate [--compiled]] [--small] [--out DIR]
 *
 * --emulate runs on tensor-cuda's emulated device (a dry run of the code path; with --small the
 * benchmark shrinks to 256 columns). Exit code 1 if a parity case fails.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cuda, Generator, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import {
  type GptqOptions,
  gptqQuantize,
  gptqQuantizeAsync,
  HessianAccumulator,
  packGptq,
  QuantLinear,
} from "../src/index.js";

const args = process.argv.slice(2);
const outDir = args.includes("--out") ? args[args.indexOf("--out") + 1] : null;
const mode = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--out") ?? "all";
const small = args.includes("--small");
const results: Record<string, unknown> = {};
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Random correlated calibration inputs [tokens, cols] (uneven scales, as real activations). */
function calibration(g: Generator, tokens: number, cols: number): Tensor {
  const x = Tensor.randn([tokens, cols], { generator: g }).dataSync() as Float32Array;
  for (let t = 0; t < tokens; t++)
    for (let c = 1; c < cols; c++)
      x[t * cols + c] = 0.6 * x[t * cols + c - 1] + x[t * cols + c] * (1 + (c % 5));
  return Tensor.from(x, [tokens, cols]);
}

async function parity(): Promise<boolean> {
  const cases: [string, GptqOptions][] = [
    ["4-bit per channel", { bits: 4 }],
    ["4-bit group 128 act-order", { bits: 4, groupSize: 128, actOrder: true }],
    ["3-bit group 64 act-order static", { bits: 3, groupSize: 64, actOrder: true, staticGroups: true }],
    ["2-bit sym group 32, block 96", { bits: 2, groupSize: 32, sym: true, blockSize: 96 }],
    ["8-bit per channel", { bits: 8 }],
  ];
  const [rows, cols] = small ? [48, 160] : [512, 1000];
  const g = new Generator(11);
  const w = Tensor.randn([rows, cols], { generator: g });
  const acc = new HessianAccumulator(cols);
  acc.add(calibration(g, 2 * cols, cols));
  const h = acc.hessian();
  const rowsOut: Record<string, unknown>[] = [];
  let failed = 0;
  for (const [name, opts] of cases) {
    const want = gptqQuantize(w, h, opts);
    const got = await gptqQuantizeAsync(w.to("cuda"), h.to("cuda"), opts);
    const codes = (await got.codes.data()) as Int32Array;
    const wantCodes = want.codes.dataSync() as Int32Array;
    let same = 0;
    for (let i = 0; i < codes.length; i++) if (codes[i] === wantCodes[i]) same++;
    const agreement = same / codes.length;
    const lossRel = Math.abs(got.loss - want.loss) / want.loss;
    const ok = agreement >= 0.995 && lossRel < 1e-3;
    if (!ok) failed++;
    log(
      `${ok ? "PASS" : "FAIL"} gptq parity: ${name}: codes agree ${(agreement * 100).toFixed(3)}%, loss ${got.loss.toPrecision(6)} vs host ${want.loss.toPrecision(6)}`,
    );
    rowsOut.push({ name, ok, agreement, loss: got.loss, hostLoss: want.loss });
    for (const t of [got.codes, got.dequantized, got.scale, got.zero, got.gIdx]) t.dispose();
  }
  results.parity = { rows: rowsOut, failed };
  return failed === 0;
}

async function bench(): Promise<void> {
  const [rows, cols, nseq, seqlen] = small ? [256, 256, 4, 64] : [4096, 4096, 128, 512];
  const g = new Generator(0);
  const w = Tensor.randn([rows, cols], { generator: g }).mul(0.02).to("cuda");
  // Uploaded once, outside the timing (the peer's X is on the GPU before its clock starts too).
  const seqs = Array.from({ length: nseq }, () =>
    Tensor.randn([1, seqlen, cols], { generator: g }).to("cuda"),
  );
  const timed: Record<string, number> = {};
  for (const actOrder of [false, true]) {
    for (let rep = 0; rep < 2; rep++) {
      // Rep 0 warms up (kernel compiles, cuBLAS handle); rep 1 is timed.
      const t0 = performance.now();
      const acc = new HessianAccumulator(cols);
      for (const s of seqs) acc.add(s);
      const h = acc.hessian();
      const firstRow = h.slice(0, 0, 1);
      await firstRow.data(); // the Hessian is finished on the device
      firstRow.dispose();
      const t1 = performance.now();
      const q = await gptqQuantizeAsync(w, h, { bits: 4, groupSize: 128, actOrder });
      const t2 = performance.now();
      for (const t of [h, q.codes, q.dequantized, q.scale, q.zero, q.gIdx]) t.dispose();
      if (rep === 1) {
        const tag = `gptq [${rows}x${cols}] 4-bit g128${actOrder ? " act-order" : ""}`;
        timed[`${tag} hessian ms`] = t1 - t0;
        timed[`${tag} quantize ms`] = t2 - t1;
        timed[`${tag} total ms`] = t2 - t0;
        log(
          `${tag}: hessian ${(t1 - t0).toFixed(1)} ms, quantize ${(t2 - t1).toFixed(1)} ms, total ${(t2 - t0).toFixed(1)} ms`,
        );
      }
    }
  }

  // Decoding through a QuantLinear of that layer: one token multiplied straight from the packed
  // 4-bit codes, against the same layer's cached float32 weight through cuBLAS (what a float
  // model's GEMV costs).
  const hAcc = new HessianAccumulator(cols);
  for (const s of seqs.slice(0, 2)) hAcc.add(s);
  const h = hAcc.hessian();
  const q = await gptqQuantizeAsync(w, h, { bits: 4, groupSize: 128 });
  const packed = packGptq({
    ...q,
    codes: await q.codes.toAsync("cpu"),
    scale: await q.scale.toAsync("cpu"),
    zero: await q.zero.toAsync("cpu"),
    gIdx: await q.gIdx.toAsync("cpu"),
    dequantized: await q.dequantized.toAsync("cpu"),
  });
  const layer = new QuantLinear(packed).to("cuda");
  const token = Tensor.randn([1, cols], { generator: g }).to("cuda");
  const reps = small ? 3 : 200;
  const fusedMs = cuda.timeIt(() => tidy(() => void layer.call(token)), reps, 3);
  const dense = layer.dequantizedWeight(); // builds the cached float weight
  const denseMs = cuda.timeIt(() => tidy(() => void token.matmul(dense)), reps, 3);
  timed[`decode [1x${cols}]·[${cols}x${rows}] int4 fused ms`] = fusedMs;
  timed[`decode [1x${cols}]·[${cols}x${rows}] fp32 cuBLAS ms`] = denseMs;
  log(
    `decode 1 token through [${rows}x${cols}] int4 g128: fused ${(fusedMs * 1e3).toFixed(1)} us, fp32 weight + cuBLAS ${(denseMs * 1e3).toFixed(1)} us (ratio ${(fusedMs / denseMs).toFixed(2)})`,
  );
  timed["peak allocated MiB"] = cuda.memoryStats().peakAllocatedBytes / 2 ** 20;
  results.bench = timed;
}

async function main(): Promise<void> {
  if (args.includes("--emulate"))
    useCudaEmulator({ kernels: args.includes("--compiled") ? "compiled" : "models" });
  else if (!cuda.isAvailable()) {
    log(`CUDA unavailable: ${cuda.unavailableReason()}`);
    process.exitCode = 2;
    return;
  }
  let ok = true;
  if (mode === "parity" || mode === "all") ok = await parity();
  if ((mode === "bench" || mode === "all") && (!args.includes("--emulate") || small)) await bench();
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "gptq-gpu.json"), JSON.stringify(results, null, 2));
  }
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  log(`ERROR ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
