import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, cpus, platform, totalmem } from "node:os";
import { dirname, join } from "node:path";

/** One metric of one variant, as the report tables and plots read it. */
export interface MetricValue {
  /** e.g. "gsm8k accuracy", "rupbench perturbed accuracy", "wikitext perplexity". */
  name: string;
  value: number;
  /** 95% interval where the evaluation gives one. */
  interval?: [number, number];
  /** Whether larger is better (accuracy) or smaller (perplexity): for the delta's sign in reports. */
  higherIsBetter: boolean;
}

export interface VariantResult {
  name: string;
  method: string;
  /** Average bits per weight of the linear layers (16 or 32 for unquantized). */
  bitsPerWeight?: number;
  parameters?: number;
  sizeOnDiskBytes?: number;
  metrics: MetricValue[];
  /** Loss curves etc.: name → [step, value] points. */
  curves?: Record<string, [number, number][]>;
  samples?: { prompt: string; output: string }[];
  extra?: Record<string, unknown>;
}

export interface Results {
  experiment: string;
  config: unknown;
  createdAt: string;
  versions: Record<string, string>;
  machine: {
    platform: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
  };
  timings: Record<string, number>;
  variants: VariantResult[];
  sensitivity?: unknown;
}

const PACKAGES = [
  "tensor-cuda",
  "models",
  "gptq",
  "kd-losses",
  "distill",
  "sparse-layers",
  "switchable-quant",
  "eval-gsm8k",
  "eval-rupbench",
  "eval-perplexity",
  "eval-mmlu",
  "eval-squad",
  "answer-extract",
  "openai-lm",
];

/**
 * The installed version of every @shrinkray package this runner uses. A package's exports do
 * not include its package.json, so its entry point is resolved and the package.json that names
 * it is found by walking up from there.
 */
export function packageVersions(): Record<string, string> {
  const req = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const p of PACKAGES) {
    const name = `@shrinkray/${p}`;
    let entry: string;
    try {
      entry = req.resolve(name);
    } catch {
      continue; // not installed: leave it out rather than guess
    }
    for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
      const file = join(dir, "package.json");
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, "utf8"));
      if (pkg.name === name) {
        out[name] = pkg.version;
        break;
      }
    }
  }
  return out;
}

export function machineInfo(): Results["machine"] {
  const c = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpus: c.length,
    cpuModel: c[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}
