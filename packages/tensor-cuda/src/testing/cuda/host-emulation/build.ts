import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernelFiles, kernelsDir } from "../../../backend/cuda/kernel-sources.js";
import { thunksSource } from "./generate-thunks.js";

/*
 * Builds the CUDA C kernels (backend/cuda/ops/<family>/*.cu, or the kernels directory of a
 * packed build) into a shared library for the CPU: every .cu compiled
 * as C++ by g++ with shim.h force-included (GPU threads become fibers, see runtime.cpp), plus
 * the generated launch thunks (generate-thunks.ts) and the fiber runtime. The library exports
 * `int emu_launch(name, gx, gy, gz, bx, by, bz, void **params)` and `const char *emu_last_error()`.
 * It is cached under a hash of every input (sources, shim, runtime, thunks, flags, compiler
 * version), so only the first call after a change compiles (a few seconds).
 */

declare const __dirname: string | undefined;

const CXX = "g++";
const FLAGS = ["-std=c++20", "-O1", "-g0", "-fPIC"];

/** Directory holding shim.h and runtime.cpp (this file's, or SHRINKRAY_CUDA_HOST_EMULATION). */
export function hostEmulationDir(): string {
  if (process.env.SHRINKRAY_CUDA_HOST_EMULATION) return process.env.SHRINKRAY_CUDA_HOST_EMULATION;
  // ESM (source and dist/index.js) has import.meta.url; the CJS bundle has __dirname.
  const here = typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, "host-emulation")]) if (existsSync(join(dir, "shim.h"))) return dir;
  return here;
}

let compilerVersion: string | null | undefined;

function cxxVersion(): string | null {
  if (compilerVersion === undefined) {
    const r = spawnSync(CXX, ["--version"], { encoding: "utf8", timeout: 20_000 });
    compilerVersion = r.status === 0 ? r.stdout.trim() : null;
  }
  return compilerVersion;
}

/** Whether g++ can be run (the host kernel library needs it). */
export function hostCompilerAvailable(): boolean {
  return cxxVersion() !== null;
}

export interface BuildHostKernelsOptions {
  /** Where built libraries are kept (default: <os tmpdir>/shrinkray-host-kernels). */
  cacheDir?: string;
}

interface Unit {
  /** Source path (the thunks are written into the build directory first). */
  source: string;
  object: string;
}

/**
 * Compiles the kernels for the CPU (or finds them in the cache) and returns the shared
 * library's path. Throws an Error carrying g++'s messages if a translation unit fails.
 */
export function buildHostKernels(opts: BuildHostKernelsOptions = {}): string {
  const version = cxxVersion();
  if (version === null)
    throw new Error(`cannot run ${CXX}: the CUDA host kernel library needs a C++ compiler`);
  const cacheDir = opts.cacheDir ?? join(tmpdir(), "shrinkray-host-kernels");
  const sources = kernelFiles(kernelsDir());
  const edir = hostEmulationDir();
  const shim = join(edir, "shim.h");
  const runtime = join(edir, "runtime.cpp");
  const files = [...sources.keys()].sort();
  // Sources #include headers by base name: every directory holding one is on the include path.
  const includeDirs = [
    ...new Set(files.filter((f) => f.endsWith(".cuh")).map((f) => dirname(sources.get(f) as string))),
  ];
  const thunks = thunksSource();
  const linkFlags = process.platform === "linux" ? ["-Wl,-z,defs"] : [];

  const hash = createHash("sha256");
  const add = (label: string, data: string | Buffer) => {
    hash.update(`${label}\0${data.length}\0`);
    hash.update(data);
  };
  add("cxx", `${CXX}\n${version}`);
  add("flags", [...FLAGS, "|", ...linkFlags].join(" "));
  add("shim.h", readFileSync(shim));
  add("runtime.cpp", readFileSync(runtime));
  add("thunks.cpp", thunks);
  for (const f of files) add(`kernels/${f}`, readFileSync(sources.get(f) as string));
  const key = hash.digest("hex").slice(0, 24);
  const libPath = join(cacheDir, `host-kernels-${key}.so`);
  if (existsSync(libPath)) return libPath;

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, `build-${key.slice(0, 8)}-`));
  try {
    const thunksPath = join(work, "thunks.cpp");
    writeFileSync(thunksPath, thunks);
    const units: Unit[] = [
      ...files
        .filter((f) => f.endsWith(".cu"))
        .map((f) => ({ source: sources.get(f) as string, object: join(work, `${f}.o`) })),
      { source: thunksPath, object: join(work, "thunks.o") },
      { source: runtime, object: join(work, "runtime.o") },
    ];
    const commands = units.map((u) => [
      CXX,
      ...FLAGS,
      "-c",
      "-x",
      "c++",
      "-include",
      shim,
      ...includeDirs.flatMap((d) => ["-I", d]),
      u.source,
      "-o",
      u.object,
    ]);
    const results = runParallel(commands);
    const failures = results
      .map((r, i) => ({ ...r, unit: units[i] }))
      .filter((r) => r.code !== 0)
      .map((r) => `${CXX} failed on ${basename(r.unit.source)} (exit ${r.code}):\n${r.stderr.trim()}`);
    if (failures.length > 0)
      throw new Error(`building the CUDA host kernel library failed:\n${failures.join("\n\n")}`);

    const tmpLib = join(work, "lib.so");
    const link = spawnSync(
      CXX,
      [...FLAGS, "-shared", ...linkFlags, "-o", tmpLib, ...units.map((u) => u.object)],
      { encoding: "utf8", maxBuffer: 64 << 20 },
    );
    if (link.status !== 0) {
      throw new Error(
        `linking the CUDA host kernel library failed (exit ${link.status}):\n${(link.stderr || String(link.error ?? "")).trim()}`,
      );
    }
    renameSync(tmpLib, libPath); // atomic: a concurrent builder of the same key writes the same bytes
    return libPath;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface JobResult {
  code: number | null;
  stderr: string;
}

// A child Node process runs the compiler commands with bounded parallelism and prints their
// results as JSON: parallel compilation behind a synchronous API.
const PARALLEL_RUNNER = `
const { spawn } = require("node:child_process");
const { jobs, parallel } = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const results = new Array(jobs.length);
let next = 0, done = 0;
function run() {
  if (next >= jobs.length) return;
  const i = next++;
  let stderr = "", finished = false;
  const finish = (code) => {
    if (finished) return;
    finished = true;
    results[i] = { code, stderr };
    if (++done === jobs.length) process.stdout.write(JSON.stringify(results));
    else run();
  };
  const p = spawn(jobs[i][0], jobs[i].slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  p.stderr.on("data", (d) => { stderr += d; });
  p.on("error", (e) => { stderr += String(e); finish(-1); });
  p.on("close", (code) => finish(code));
}
for (let k = 0; k < Math.max(1, Math.min(parallel, jobs.length)); k++) run();
`;

function runParallel(commands: string[][]): JobResult[] {
  if (commands.length === 0) return [];
  const r = spawnSync(process.execPath, ["-e", PARALLEL_RUNNER], {
    input: JSON.stringify({ jobs: commands, parallel: availableParallelism() }),
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status === 0 && r.stdout) {
    try {
      return JSON.parse(r.stdout) as JobResult[];
    } catch {
      // fall through to sequential compilation
    }
  }
  return commands.map(([cmd, ...args]) => {
    const s = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20 });
    return { code: s.status, stderr: s.stderr || String(s.error ?? "") };
  });
}
