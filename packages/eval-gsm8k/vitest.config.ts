import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "eval-gsm8k", include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
