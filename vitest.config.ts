import { defineConfig } from "vitest/config";

// One root config; each package is a project so `pnpm --filter <pkg> test` and the root run agree.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
  },
});
