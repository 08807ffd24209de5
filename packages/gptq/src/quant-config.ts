import type { DynamicConfig } from "./dynamic-config.js";
import type { Bits } from "./quantizer.js";
import { SUPPORTED_BITS } from "./quantizer.js";
import { PACKAGE_VERSION } from "./version.js";

/** A model's GPTQ settings, as this package names them. */
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
  /**
   * How zero points are stored: "gptq" (v1: zero − 1, what AutoGPTQ, transformers and every vLLM
   * read) or "gptq_v2" (the zero itself: GPTQModel, and vLLM/SGLang since they read
   * `checkpoint_format`). Asymmetric grids are written as v2 only (see zeroPointsToV1).
   */
  checkpointFormat: "gptq" | "gptq_v2";
  /** The LM head is quantized too (`lm_head` in GPTQModel's and vLLM's configs). */
  lmHead: boolean;
}

/** GPTQModel's `meta`: provenance and settings that do not take part in inference. */
export interface QuantizeConfigMeta {
  /** "tool:version" entries, e.g. "gptqmodel:4.2.5". */
  quantizer?: string[] | string;
  uri?: string;
  damp_percent?: number;
  damp_auto_increment?: number;
  static_groups?: boolean;
  true_sequential?: boolean;
  mse?: number;
  act_group_aware?: boolean;
  [extra: string]: unknown;
}

/**
 * The JSON both `quantize_config.json` and `config.json`'s `quantization_config` hold, with the
 * keys GPTQModel (≥ 5.6) writes: `format` and `checkpoint_format` both, `pack_dtype`, `lm_head`,
 * the non-inference settings under `meta`, `dynamic` only when there are overrides.
 */
export interface QuantizeConfigJson {
  bits: number;
  dynamic?: DynamicConfig;
  group_size: number;
  desc_act: boolean;
  sym: boolean;
  lm_head: boolean;
  method: "gptq";
  quant_method: "gptq";
  format: "gptq" | "gptq_v2";
  checkpoint_format: "gptq" | "gptq_v2";
  pack_dtype: "int32";
  meta: QuantizeConfigMeta;
  [extra: string]: unknown;
}

/** What a checkpoint's config says beyond GptqConfig: who wrote it, which words pack the codes. */
export interface CheckpointProvenance {
  /** meta.quantizer parsed as [tool, version] pairs (lower-case). */
  quantizers: [string, string][];
  packDtype: string;
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
  lmHead: false,
};

/** The `meta.quantizer` entry files written here carry. */
export const QUANTIZER_TAG = `shrinkray-gptq:${PACKAGE_VERSION}`;

export class QuantizeConfigError extends Error {
  override name = "QuantizeConfigError";
}

/**
 * The JSON object to write as `quantize_config.json` or under `quantization_config`, refusing a
 * config another loader would reject or read differently: damp_percent outside (0, 1) (transformers'
 * and GPTQModel's GPTQConfig refuse it), and an asymmetric grid in v1 form (zero points of 0 have
 * no v1 encoding every loader agrees on). `checkpointFormat` defaults to "gptq" for symmetric
 * grids and "gptq_v2" for asymmetric ones.
 */
export function toQuantizeConfigJson(
  config: Partial<GptqConfig> = {},
  opts: { dynamic?: DynamicConfig | null; source?: string } = {},
): QuantizeConfigJson {
  const source = opts.source ?? "toQuantizeConfigJson";
  const c = { ...DEFAULT_GPTQ_CONFIG, checkpointFormat: defaultFormat(config), ...config };
  validate(c, source);
  checkWritable(c, source);
  return {
    bits: c.bits,
    ...(opts.dynamic && Object.keys(opts.dynamic).length ? { dynamic: opts.dynamic } : {}),
    group_size: c.groupSize,
    desc_act: c.descAct,
    sym: c.sym,
    lm_head: c.lmHead,
    method: "gptq",
    quant_method: "gptq",
    format: c.checkpointFormat,
    checkpoint_format: c.checkpointFormat,
    pack_dtype: "int32",
    meta: {
      quantizer: [QUANTIZER_TAG],
      damp_percent: c.dampPercent,
      // This package's GPTQ never raises the damping on its own.
      damp_auto_increment: 0,
      static_groups: c.staticGroups,
      true_sequential: c.trueSequential,
      mse: 0,
      act_group_aware: false,
    },
  };
}

/** Where none is asked for: v1 for a symmetric grid, v2 for an asymmetric one (see checkWritable). */
export function defaultFormat(config: Partial<GptqConfig>): GptqConfig["checkpointFormat"] {
  return config.sym === false ? "gptq_v2" : "gptq";
}

/** What only matters for a file others read: the checks toQuantizeConfigJson adds to validate(). */
export function checkWritable(c: GptqConfig, source: string): void {
  if (!(c.dampPercent > 0 && c.dampPercent < 1))
    throw new QuantizeConfigError(
      `${source}: damp_percent must be strictly between 0 and 1 in a saved config (transformers' and GPTQModel's GPTQConfig refuse ${c.dampPercent}); quantize with dampPercent > 0`,
    );
  if (!c.sym && c.checkpointFormat === "gptq")
    throw new QuantizeConfigError(
      `${source}: an asymmetric (sym: false) grid is written with checkpoint_format "gptq_v2" only: in v1 ("gptq") a zero point of 0 is stored as −1, which AutoGPTQ and vLLM read as 2^bits and GPTQModel as a carry into the next zero`,
    );
}

/**
 * Reads `quantize_config.json` or a `quantization_config` object: AutoGPTQ's (settings at the top
 * level), GPTQModel's (`format` and/or `checkpoint_format`, settings in `meta`) and transformers'.
 * Fields missing there take AutoGPTQ's defaults; `source` names the file in errors. Anything that
 * would change how the tensors are read and is not supported here is an error, never ignored.
 */
export function parseQuantizeConfig(json: unknown, source = "quantize_config.json"): GptqConfig {
  return parseQuantizeConfigFull(json, source).config;
}

/** parseQuantizeConfig plus who wrote the file and how its codes are packed. */
export function parseQuantizeConfigFull(
  json: unknown,
  source = "quantize_config.json",
): { config: GptqConfig; provenance: CheckpointProvenance } {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new QuantizeConfigError(`${source}: expected a JSON object`);
  }
  const o = json as Record<string, unknown>;
  const rawMeta = o.meta;
  if (rawMeta !== undefined && rawMeta !== null && (typeof rawMeta !== "object" || Array.isArray(rawMeta)))
    throw new QuantizeConfigError(`${source}: meta must be an object, got ${JSON.stringify(rawMeta)}`);
  const meta = (rawMeta ?? {}) as Record<string, unknown>;
  for (const key of ["quant_method", "method"]) {
    const method = o[key];
    if (method !== undefined && method !== null && method !== "gptq")
      throw new QuantizeConfigError(`${source}: ${key} is ${JSON.stringify(method)}, expected "gptq"`);
  }
  if (o.is_marlin_format === true)
    throw new QuantizeConfigError(
      `${source}: is_marlin_format is true (Marlin-repacked tensors); only the gptq / gptq_v2 layouts are read`,
    );
  // Top level first (AutoGPTQ, transformers), then meta (GPTQModel keeps them there).
  const field = <T>(name: string, type: "number" | "boolean" | "string", fallback: T, inMeta = false): T => {
    let v = o[name];
    let where = name;
    if ((v === undefined || v === null) && inMeta) {
      v = meta[name];
      where = `meta.${name}`;
    }
    if (v === undefined || v === null) return fallback;
    if (typeof v !== type)
      throw new QuantizeConfigError(`${source}: ${where} must be a ${type}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  const d = DEFAULT_GPTQ_CONFIG;
  const checkpointFormat = readFormat(
    field<string | undefined>("checkpoint_format", "string", undefined),
    field<string | undefined>("format", "string", undefined),
    source,
  );
  const packDtype = field<string>("pack_dtype", "string", "int32").toLowerCase();
  if (packDtype !== "int32")
    throw new QuantizeConfigError(
      `${source}: pack_dtype ${JSON.stringify(packDtype)} is not supported (int32 words only, as vLLM and transformers read them)`,
    );
  const c: GptqConfig = {
    bits: field<number>("bits", "number", d.bits) as Bits,
    groupSize: field<number>("group_size", "number", d.groupSize),
    descAct: field<boolean>("desc_act", "boolean", d.descAct),
    sym: field<boolean>("sym", "boolean", d.sym),
    staticGroups: field<boolean>("static_groups", "boolean", d.staticGroups, true),
    dampPercent: field<number>("damp_percent", "number", d.dampPercent, true),
    trueSequential: field<boolean>("true_sequential", "boolean", d.trueSequential, true),
    checkpointFormat,
    lmHead: field<boolean>("lm_head", "boolean", d.lmHead),
  };
  validate(c, source);
  return { config: c, provenance: { quantizers: parseQuantizers(meta.quantizer, source), packDtype } };
}

/** GPTQModel writes `format` and `checkpoint_format` (older releases only the latter). */
function readFormat(
  checkpoint: string | undefined,
  format: string | undefined,
  source: string,
): GptqConfig["checkpointFormat"] {
  const norm = (v: string | undefined) => v?.toLowerCase();
  const a = norm(checkpoint);
  const b = norm(format);
  if (a !== undefined && b !== undefined && a !== b)
    throw new QuantizeConfigError(
      `${source}: checkpoint_format ${JSON.stringify(checkpoint)} and format ${JSON.stringify(format)} disagree`,
    );
  const v = a ?? b ?? DEFAULT_GPTQ_CONFIG.checkpointFormat;
  if (v !== "gptq" && v !== "gptq_v2")
    throw new QuantizeConfigError(
      `${source}: ${a !== undefined ? "checkpoint_format" : "format"} ${JSON.stringify(checkpoint ?? format)} is not supported (gptq, gptq_v2)`,
    );
  return v;
}

function parseQuantizers(v: unknown, source: string): [string, string][] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.flatMap((e) => {
    if (typeof e !== "string")
      throw new QuantizeConfigError(
        `${source}: meta.quantizer entries must be strings, got ${JSON.stringify(e)}`,
      );
    const [tool, version] = e.split(":");
    return version === undefined ? [] : [[tool.trim().toLowerCase(), version.trim().toLowerCase()]];
  });
}

/** The checks every config passes, read or written. */
export function validate(c: GptqConfig, source: string): void {
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
  if (c.checkpointFormat !== "gptq" && c.checkpointFormat !== "gptq_v2")
    throw new QuantizeConfigError(
      `${source}: checkpointFormat must be "gptq" or "gptq_v2", got ${JSON.stringify(c.checkpointFormat)}`,
    );
}
