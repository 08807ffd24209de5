/**
 * An experiment end to end on a CUDA device against the same experiment on the CPU (the one
 * src/experiment/device.test.ts runs on the emulated device): evaluation, grouped + low-rank
 * layers fitted layer by layer, distillation and GPTQ on the committed toy Llama. Prints every
 * figure from both runs with a PASS/FAIL line each, the wall time of each run, and the device
 * memory left allocated afterwards (none may be). Run by tensor-cuda's scripts/gpu/run.sh.
 *
 *   tsx apps/runner/bench/device-flow.ts [parity|bench|all] [--emulate [--compiled]] [--out DIR]
 *     [--model DIR]
 *
 * From the repository root (the model defaults to apps/runner/assets/toy/teacher there).
 * "bench" alone skips it: this program checks, it does not measure. Exit code 1 on a failure,
 * 2 without CUDA.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cuda } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { loadExperiment } from "../src/experiment/load.js";
import { runExperiment } from "../src/experiment/run.js";
import { DEVICE_VARIANTS, deviceTolerance, writeDeviceExperiment } from "../src/testing/device-experiment.js";

const args = process.argv.slice(2);
const flagValue = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : null);
const outDir = flagValue("--out");
const mode = args.find((a, i) => !a.startsWith("--") && !["--out", "--model"].includes(args[i - 1])) ?? "all";
const modelDir = resolve(flagValue("--model") ?? "apps/runner/assets/toy/teacher");
const log = (line: string) => process.stdout.write(`${line}\n`);

async function runOn(device: "cpu" | "cuda") {
  const { experiment, baseDir } = loadExperiment(writeDeviceExperiment(device, modelDir));
  const started = performance.now();
  const results = await runExperiment(experiment, baseDir, {
    outDir: mkdtempSync(join(tmpdir(), `sr-device-flow-${device}-`)),
    log: () => {},
  });
  return { results, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  if (mode === "bench") return;
  if (args.includes("--emulate"))
    useCudaEmulator({ kernels: args.includes("--compiled") ? "compiled" : "models" });
  else if (!cuda.isAvailable()) {
    log(`CUDA unavailable: ${cuda.unavailableReason()}`);
    process.exitCode = 2;
    return;
  }
  if (!existsSync(join(modelDir, "config.json"))) {
    log(`FAIL device flow: no model at ${modelDir} (run from the repository root, or pass --model)`);
    process.exitCode = 1;
    return;
  }
  const cpu = await runOn("cpu");
  const before = cuda.memoryStats().allocatedBytes;
  const gpu = await runOn("cuda");
  const left = cuda.memoryStats().allocatedBytes - before;
  let failed = 0;
  const rows: Record<string, unknown>[] = [];
  const names = gpu.results.variants.map((v) => v.name);
  if (names.join() !== DEVICE_VARIANTS.join()) {
    log(`FAIL device flow: variants ${names.join(", ")}, expected ${DEVICE_VARIANTS.join(", ")}`);
    failed++;
  }
  gpu.results.variants.forEach((v, i) => {
    for (const [j, m] of v.metrics.entries()) {
      const want = cpu.results.variants[i]?.metrics[j];
      const rel = want ? Math.abs(m.value / want.value - 1) : Number.POSITIVE_INFINITY;
      const ok = rel < deviceTolerance(v.name);
      if (!ok) failed++;
      log(
        `${ok ? "PASS" : "FAIL"} device flow: ${v.name} ${m.name} ${m.value.toPrecision(7)} vs cpu ${want?.value.toPrecision(7)} (rel ${rel.toExponential(1)}, allowed ${deviceTolerance(v.name)})`,
      );
      rows.push({ variant: v.name, metric: m.name, cuda: m.value, cpu: want?.value, rel, ok });
    }
  });
  const leakOk = left <= 0;
  if (!leakOk) failed++;
  log(`${leakOk ? "PASS" : "FAIL"} device flow: device memory left after the experiment: ${left} bytes`);
  log(
    `device flow: whole experiment ${gpu.seconds.toFixed(1)} s on cuda, ${cpu.seconds.toFixed(1)} s on the CPU (${DEVICE_VARIANTS.length} variants, a tiny model: a check, not a benchmark)`,
  );
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      join(outDir, "device-flow.json"),
      JSON.stringify(
        { rows, bytesLeft: left, seconds: { cuda: gpu.seconds, cpu: cpu.seconds }, failed },
        null,
        2,
      ),
    );
  }
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  log(`ERROR ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
