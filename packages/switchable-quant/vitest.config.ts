import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// Siblings resolve to their sources so tests run without a build first.
const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));
// tensor-cuda's testing entry (the emulated CUDA device), listed before the package itself:
// an alias also matches the paths under its name.
const cudaTesting = fileURLToPath(new URL("../tensor-cuda/src/testing/index.ts", import.meta.url));

export default defineProject({
  resolve: {
    alias: {
      "@shrinkray/tensor-cuda/testing": cudaTesting,
      "@shrinkray/tensor-cuda": src("tensor-cuda"),
      "@shrinkray/gptq": src("gptq"),
    },
  },
  test: { name: "switchable-quant", include: ["src/**/*.test.ts"], testTimeout: 120_000 },
});
