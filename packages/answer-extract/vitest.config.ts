import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "answer-extract", include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
