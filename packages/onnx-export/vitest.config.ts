import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// Siblings resolve to their sources so tests run without a build first.
const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineProject({
  resolve: {
    alias: {
      "@shrinkray/tensor-cuda": src("tensor-cuda"),
      "@shrinkray/models": src("models"),
      "@shrinkray/gptq": src("gptq"),
      "@shrinkray/sparse-layers": src("sparse-layers"),
    },
  },
  test: { name: "onnx-export", include: ["src/**/*.test.ts"], testTimeout: 120_000 },
});
