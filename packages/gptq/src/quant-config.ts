import type { Bits } from "./quantizer.js";
import { SUPPORTED_BITS } from "./quantizer.js";

/** A GPTQ model's quantization settings, as this package names them. */
export interface GptqConfig {
  bits: Bits;
  /** -1: per output channel. */
  groupSize: number;
  /** Act-order ("desc_act"). */
  descAct: boolean;
  sym: boolean;
  staticGroups: boolean;
  dampPercent: number;
  trueSequential: boolean;
  /** "gptq": v1 zero points on disk (what AutoGPTQ, transformers and vLLM read). */
  checkpointFormat: "gptq" | "gptq_v2";
}

/** The JSON both `quantize_config.json` and `config.json`'s `quantization_config` hold. */
export interface QuantizeConfigJson {
  bits: number;
  group_size: number;
  desc_act: boolean;
  sym: boolean;
  static_groups: boolean;
  damp_percent: number;
  true_sequential: boolean;
  checkpoint_format: string;
  quant_method: "gptq";
  [extra: string]: unknown;
}

export const DEFAULT_GPTQ_CONFIG: GptqConfig = {
  bits: 4,
  groupSize: 128,
  descAct: false,
  sym: true,
  staticGroups: false,
  dampPercent: 0.01,
  trueSequential: true,
  checkpointFormat: "gptq",
};

export class QuantizeConfigError extends Error {
  override name = "QuantizeConfigError";
}

/** The JSON object to write as `quantize_config.json` or under `quantization_config`. */
export function toQuantizeConfigJson(config: Partial<GptqConfig> = {}): QuantizeConfigJson {
  const c = { ...DEFAULT_GPTQ_CONFIG, ...config };
  validate(c, "toQuantizeConfigJson");
  return {
    bits: c.bits,
    group_size: c.groupSize,
    desc_act: c.descAct,
    sym: c.sym,
    static_groups: c.staticGroups,
    damp_percent: c.dampPercent,
    true_sequential: c.trueSequential,
    checkpoint_format: c.checkpointFormat,
    quant_method: "gptq",
  };
}

/**
 * Reads `quantize_config.json` or a `quantization_config` object (fields missing there take
 * AutoGPTQ's defaults); `source` names the file in errors.
 */
export function parseQuantizeConfig(json: unknown, source = "quantize_config.json"): GptqConfig {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new QuantizeConfigError(`${source}: expected a JSON object`);
  }
  const o = json as Record<string, unknown>;
  const method = o.quant_method;
  if (method !== undefined && method !== "gptq") {
    throw new QuantizeConfigError(`${source}: quant_method is ${JSON.stringify(method)}, expected "gptq"`);
  }
  const field = <T>(name: string, type: "number" | "boolean" | "string", fallback: T): T => {
    const v = o[name];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== type)
      throw new QuantizeConfigError(`${source}: ${name} must be a ${type}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  const d = DEFAULT_GPTQ_CONFIG;
  const format = field<string>("checkpoint_format", "string", d.checkpointFormat);
  if (format !== "gptq" && format !== "gptq_v2") {
    throw new QuantizeConfigError(
      `${source}: checkpoint_format ${JSON.stringify(format)} is not supported (gptq, gptq_v2)`,
    );
  }
  const c: GptqConfig = {
    bits: field<number>("bits", "number", d.bits) as Bits,
    groupSize: field<number>("group_size", "number", d.groupSize),
    descAct: field<boolean>("desc_act", "boolean", d.descAct),
    sym: field<boolean>("sym", "boolean", d.sym),
    staticGroups: field<boolean>("static_groups", "boolean", d.staticGroups),
    dampPercent: field<number>("damp_percent", "number", d.dampPercent),
    trueSequential: field<boolean>("true_sequential", "boolean", d.trueSequential),
    checkpointFormat: format,
  };
  validate(c, source);
  return c;
}

function validate(c: GptqConfig, source: string): void {
  if (!SUPPORTED_BITS.includes(c.bits)) {
    throw new QuantizeConfigError(
      `${source}: bits must be one of ${SUPPORTED_BITS.join(", ")}, got ${c.bits}`,
    );
  }
  if (c.groupSize !== -1 && !(Number.isInteger(c.groupSize) && c.groupSize > 0)) {
    throw new QuantizeConfigError(
      `${source}: group_size must be a positive integer or -1, got ${c.groupSize}`,
    );
  }
  if (!(c.dampPercent >= 0 && c.dampPercent < 1)) {
    throw new QuantizeConfigError(`${source}: damp_percent must be in [0, 1), got ${c.dampPercent}`);
  }
}
