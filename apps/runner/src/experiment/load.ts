import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError } from "../cli/errors.js";
import { type Experiment, experimentSchema } from "./schema.js";
import { validate } from "./validate.js";

/**
 * Reads and validates an experiment file (JSON). Paths inside it are relative to the file.
 * Cross-references (a variant's `from`, an evaluation's `data`) are checked here too, so a typo
 * fails before any work starts.
 */
export function loadExperiment(file: string): { experiment: Experiment; baseDir: string } {
  if (!existsSync(file)) throw new ConfigError(file, "", "no such experiment file");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(file, "", `not valid JSON (${(e as Error).message})`);
  }
  validate(raw, experimentSchema, file);
  const experiment = raw as Experiment;
  checkReferences(experiment, file);
  return { experiment, baseDir: dirname(resolve(file)) };
}

export function checkReferences(x: Experiment, file: string): void {
  const names = new Set<string>();
  x.variants.forEach((v, i) => {
    if (names.has(v.name))
      throw new ConfigError(file, `variants[${i}].name`, `duplicate variant "${v.name}"`);
    if (v.from !== undefined && !names.has(v.from)) {
      throw new ConfigError(
        file,
        `variants[${i}].from`,
        `"${v.from}" is not an earlier variant (have: ${[...names].join(", ") || "none"})`,
      );
    }
    names.add(v.name);
    const needData = (field: string, name: string | undefined) => {
      if (name !== undefined && !x.data[name]) {
        throw new ConfigError(
          file,
          `variants[${i}].${field}`,
          `no dataset "${name}" in data (have: ${Object.keys(x.data).join(", ")})`,
        );
      }
    };
    if (v.quantize?.method === "gptq") needData("quantize.calibration", v.quantize.calibration);
    needData("sparsify.calibration", v.sparsify?.calibration);
    needData("distill.data", v.distill?.data);
    const tv = v.distill?.teacher;
    if (tv?.kind === "model" && tv.variant !== undefined && !names.has(tv.variant)) {
      throw new ConfigError(
        file,
        `variants[${i}].distill.teacher.variant`,
        `"${tv.variant}" is not an earlier variant`,
      );
    }
  });
  x.evaluate.forEach((e, i) => {
    if (!x.data[e.data]) {
      throw new ConfigError(
        file,
        `evaluate[${i}].data`,
        `no dataset "${e.data}" in data (have: ${Object.keys(x.data).join(", ")})`,
      );
    }
  });
  if (x.sensitivity) {
    if (x.sensitivity.eval >= x.evaluate.length) {
      throw new ConfigError(
        file,
        "sensitivity.eval",
        `index ${x.sensitivity.eval} but only ${x.evaluate.length} evaluation(s)`,
      );
    }
    if (x.sensitivity.variant && !names.has(x.sensitivity.variant)) {
      throw new ConfigError(file, "sensitivity.variant", `no variant "${x.sensitivity.variant}"`);
    }
  }
}

export function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
