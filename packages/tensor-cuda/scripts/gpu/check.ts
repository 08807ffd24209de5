/**
 * The CUDA backend's checks and benchmarks as one program, for a GPU machine without Node:
 * scripts/gpu/pack.mjs bundles it with a Node binary; .carry/gpu/run.sh runs it there.
 *
 *   check.mjs parity [--emulate [--compiled]]   parity with the CPU backend + float64 finite differences
 *   check.mjs bench [--small]       bf16/fp32 matmul, GPT-2-small training step
 *   check.mjs all --out DIR         both, results as JSON in DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gpt2Small, trainingStep } from "../../bench/gpt2-small.js";
import { cuda, Tensor, tidy } from "../../src/index.js";
import { finiteDifferenceCases, gradcheckOnDevice } from "../../src/testing/cuda/device-gradcheck.js";
import { checkParity, parityCases } from "../../src/testing/cuda/parity.js";
import { useCudaEmulator } from "../../src/testing/index.js";

const args = process.argv.slice(2);
const outDir = args.includes("--out") ? args[args.indexOf("--out") + 1] : null;
const mode = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--out") ?? "all";
const results: Record<string, unknown> = {};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function parity(): Promise<boolean> {
  let failed = 0;
  const rows: { name: string; ok: boolean; detail: string }[] = [];
  const run = async (name: string, f: () => Promise<string>) => {
    try {
      const detail = await f();
      rows.push({ name, ok: true, detail });
      log(`PASS ${name} ${detail}`);
    } catch (e) {
      failed++;
      const detail = (e as Error).message.split("\n")[0];
      rows.push({ name, ok: false, detail });
      log(`FAIL ${name}: ${detail}`);
    }
  };
  for (const c of parityCases())
    await run(`parity: ${c.name}`, async () => `${await checkParity(c, "cuda")} values`);
  for (const c of finiteDifferenceCases()) {
    await run(`fd-grad: ${c.name}`, async () => {
      const r = await gradcheckOnDevice(c, "cuda");
      return `${r.checked} elements, max err ${r.maxAbsError.toExponential(2)}`;
    });
  }
  results.parity = { passed: rows.length - failed, failed, rows };
  log(`parity: ${rows.length - failed} passed, ${failed} failed`);
  return failed === 0;
}

/** `--small` shrinks every benchmark (a dry run of this code on the emulator, not a measurement). */
const small = args.includes("--small");

function bench(): void {
  const rows: Record<string, number> = {};
  for (const [n, dtype] of [
    [small ? 64 : 8192, small ? "float32" : "bfloat16"],
    [small ? 32 : 4096, "float32"],
  ] as const) {
    const a = tidy(() => Tensor.randn([n, n]).to("cuda").cast(dtype));
    const b = tidy(() => Tensor.randn([n, n]).to("cuda").cast(dtype));
    const ms = cuda.timeIt(() => tidy(() => void a.matmul(b)), 10, 3);
    rows[`matmul ${dtype} ${n}^3 ms`] = ms;
    rows[`matmul ${dtype} ${n}^3 TFLOP/s`] = (2 * n ** 3) / (ms * 1e-3) / 1e12;
    log(
      `matmul ${dtype} ${n}^3: ${ms.toFixed(3)} ms, ${rows[`matmul ${dtype} ${n}^3 TFLOP/s`].toFixed(1)} TFLOP/s`,
    );
    a.dispose();
    b.dispose();
  }
  const B = small ? 2 : 8;
  const T = small ? 16 : 512;
  const model = small ? gpt2Small("cuda", { layers: 2, vocab: 97, d: 64, heads: 4 }) : gpt2Small("cuda");
  const step = trainingStep(model, "cuda", B, T);
  const ms = cuda.timeIt(step, 5, 2);
  rows[`gpt2-small fwd+bwd ${B}x${T} fp32 ms`] = ms;
  log(`gpt2-small fwd+bwd (${B}x${T}, fp32): ${ms.toFixed(1)} ms`);
  const mem = cuda.memoryStats();
  rows["peak allocated MiB"] = mem.peakAllocatedBytes / 2 ** 20;
  log(
    `peak allocated ${(mem.peakAllocatedBytes / 2 ** 20).toFixed(0)} MiB; compiles ${JSON.stringify(cuda.compileStats())}`,
  );
  results.bench = rows;
}

async function main(): Promise<void> {
  if (args.includes("--emulate")) {
    useCudaEmulator({ kernels: args.includes("--compiled") ? "compiled" : "models" });
  } else if (!cuda.isAvailable()) {
    log(`CUDA unavailable: ${cuda.unavailableReason()}`);
    process.exitCode = 2;
    return;
  } else {
    const info = cuda.deviceInfo();
    log(
      `device: ${info.name}, sm_${info.computeCapability}, ${info.multiprocessors} SMs, driver ${info.driverVersion}`,
    );
    results.device = info;
  }
  let ok = true;
  if (mode === "parity" || mode === "all") ok = await parity();
  if ((mode === "bench" || mode === "all") && (!args.includes("--emulate") || small)) bench();
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "tensor-cuda-gpu.json"), JSON.stringify(results, null, 2));
  }
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  log(`ERROR ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
