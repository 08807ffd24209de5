import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "eval-mmlu", include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
