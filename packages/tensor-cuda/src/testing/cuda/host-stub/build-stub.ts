import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadKoffi } from "../../../backend/cuda/koffi.js";

/*
 * Builds cuda_stub.c (a no-GPU stand-in for libcuda and libcublas) into a shared library, once
 * per source (cached under the OS temp directory), and reads its counters through koffi.
 */

const SOURCE = fileURLToPath(new URL("./cuda_stub.c", import.meta.url));

export function stubCompilerAvailable(): boolean {
  return spawnSync("cc", ["--version"]).status === 0;
}

/** Path of the built stub library (libcuda and libcublas entry points in one). */
export function buildCudaStub(cacheDir = join(tmpdir(), "shrinkray-cuda-stub")): string {
  const source = readFileSync(SOURCE);
  const out = join(
    cacheDir,
    `cuda-stub-${createHash("sha256").update(source).digest("hex").slice(0, 16)}.so`,
  );
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const r = spawnSync("cc", ["-shared", "-fPIC", "-O2", "-o", tmp, SOURCE], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the CUDA stub failed: ${r.stderr || r.error?.message}`);
  renameSync(tmp, out);
  return out;
}

export interface StubCounters {
  launches(): number;
  gemms(): number;
  /** The first 8 bytes parameter i (< 4) of the last launch pointed at. */
  lastArg(i: number): bigint;
  lastGridX(): number;
  lastBlockX(): number;
  /** Fills and device-to-device copies become no-ops (as host work they would be on a GPU). */
  skipDeviceWork(skip: boolean): void;
}

export function stubCounters(path: string): StubCounters {
  const lib = loadKoffi().load(path);
  const launches = lib.func("int64_t stub_launches(void)");
  const gemms = lib.func("int64_t stub_gemms(void)");
  const arg = lib.func("uint64_t stub_last_arg(int i)");
  const gridX = lib.func("unsigned int stub_last_grid_x(void)");
  const blockX = lib.func("unsigned int stub_last_block_x(void)");
  const skip = lib.func("void stub_skip_device_work(int skip)");
  return {
    launches: () => Number(launches()),
    gemms: () => Number(gemms()),
    lastArg: (i: number) => BigInt(arg(i)),
    lastGridX: () => gridX(),
    lastBlockX: () => blockX(),
    skipDeviceWork: (on: boolean) => skip(on ? 1 : 0),
  };
}

/** NVRTC's stand-in for a backend on the stub: the stub's module loader takes any image. */
export const stubCompiler = {
  version: "stub",
  compile: (req: { name: string }) => ({
    kind: "cubin" as const,
    image: new TextEncoder().encode(req.name),
    log: "",
  }),
};
