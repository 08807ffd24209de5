import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "eval-perplexity", include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
