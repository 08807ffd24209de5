import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "tensor-cuda", include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
