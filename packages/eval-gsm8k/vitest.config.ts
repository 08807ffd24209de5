import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

export default defineProject({
  // Tests import the sibling package from source, so they run without building it first.
  resolve: {
    alias: {
      "@shrinkray/answer-extract": fileURLToPath(new URL("../answer-extract/src/index.ts", import.meta.url)),
    },
  },
  test: { name: "eval-gsm8k", include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
