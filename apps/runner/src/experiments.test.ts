import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadExperiment } from "./experiment/load.js";

// Dry run of every shipped recipe: it parses, validates, and every reference resolves.
const dir = fileURLToPath(new URL("../experiments/", import.meta.url));

describe("shipped experiment recipes", () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
    it(`${f} is a valid experiment`, () => {
      const { experiment } = loadExperiment(join(dir, f));
      expect(experiment.variants.length).toBeGreaterThan(0);
      expect(experiment.name.length).toBeGreaterThan(0);
    });
  }
});
