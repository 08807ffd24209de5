import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "tsup";

/** Every .cu and .cuh under `dir` (the op families' folders and the shared headers above them). */
function kernelSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? kernelSources(join(dir, e.name)) : /\.cuh?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

export default defineConfig({
  // "@shrinkray/tensor-cuda/testing" (the emulated CUDA device) is its own entry: the runtime
  // entry never imports it. Both share one copy of the core (registry, Tensor) through chunks,
  // so the emulator a test registers is the backend the runtime uses; CommonJS needs the
  // splitting asked for explicitly (ESM splits by default).
  entry: { index: "src/index.ts", testing: "src/testing/index.ts" },
  format: ["esm", "cjs"],
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // import.meta.url in the CJS bundle (createRequire, kernel sources) needs the shim.
  shims: true,
  // The CUDA C sources are compiled by NVRTC at run time; they ship beside the bundle, flat, where
  // kernel-sources.ts looks for them ("./kernels" next to dist/index.js).
  async onSuccess() {
    for (const f of kernelSources("src/backend/cuda/ops")) {
      cpSync(f, join("dist/kernels", f.slice(f.lastIndexOf("/") + 1)));
    }
    // The CPU harness that runs those kernels without a GPU (useCudaEmulator({ kernels: "compiled" })).
    for (const f of ["shim.h", "runtime.cpp"]) {
      cpSync(`src/testing/cuda/host-emulation/${f}`, `dist/host-emulation/${f}`);
    }
  },
});
