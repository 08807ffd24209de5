import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`../../packages/${pkg}/src/index.ts`, import.meta.url));

export default defineProject({
  resolve: {
    alias: {
      "@shrinkray/tensor-cuda": src("tensor-cuda"),
      "@shrinkray/answer-extract": src("answer-extract"),
    },
  },
  test: { name: "demo", include: ["src/**/*.test.ts"], testTimeout: 120_000 },
});
