import { cpSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // import.meta.url in the CJS bundle (createRequire, kernel sources) needs the shim.
  shims: true,
  // The CUDA C sources are compiled by NVRTC at run time; they ship beside the bundle, where
  // kernel-sources.ts looks for them ("./kernels" next to dist/index.js).
  async onSuccess() {
    cpSync("src/backend/cuda/kernels", "dist/kernels", { recursive: true });
    // The CPU harness that runs those kernels without a GPU (cuda.useEmulator({ kernels: "compiled" })).
    for (const f of ["shim.h", "runtime.cpp"]) {
      cpSync(`src/backend/cuda/host-emulation/${f}`, `dist/host-emulation/${f}`);
    }
  },
});
