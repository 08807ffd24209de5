import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "openai-lm", include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
