import { type GptqConfig, QuantizeConfigError } from "./quant-config.js";
import { SUPPORTED_BITS } from "./quantizer.js";

/**
 * GPTQModel's per-module overrides (`dynamic` in quantize_config.json): keys are regexes on the
 * module's dotted name, `"+:re"` (or a bare `"re"`) with settings that replace the model's for
 * matching modules, `"-:re"` (value `{}`) to leave matching modules unquantized. The first
 * matching key wins and a pattern is anchored at the start of the name only, as Python's
 * `re.match` in GPTQModel's `dynamic_get`.
 */
export type DynamicConfig = Record<string, DynamicOverride>;

/** The settings a `dynamic` entry may change, in the JSON's snake_case. */
export interface DynamicOverride {
  bits?: number;
  group_size?: number;
  desc_act?: boolean;
  sym?: boolean;
  static_groups?: boolean;
  damp_percent?: number;
}

const FIELDS: Record<keyof DynamicOverride, [keyof GptqConfig, "number" | "boolean"]> = {
  bits: ["bits", "number"],
  group_size: ["groupSize", "number"],
  desc_act: ["descAct", "boolean"],
  sym: ["sym", "boolean"],
  static_groups: ["staticGroups", "boolean"],
  damp_percent: ["dampPercent", "number"],
};

interface Rule {
  key: string;
  skip: boolean;
  re: RegExp;
  override: Partial<GptqConfig>;
}

/**
 * Compiled `dynamic` rules. `strict` (for configs a caller writes) rejects keys GPTQModel may
 * know but this package does not apply; reading a checkpoint's config ignores them instead, so
 * a file from a newer GPTQModel still loads.
 */
export class DynamicRules {
  private readonly rules: Rule[];

  constructor(
    readonly json: DynamicConfig | null | undefined,
    opts: { source?: string; strict?: boolean } = {},
  ) {
    const source = opts.source ?? "dynamic";
    if (json === null || json === undefined) {
      this.rules = [];
      return;
    }
    if (typeof json !== "object" || Array.isArray(json))
      throw new QuantizeConfigError(`${source}: expected an object of regex → settings`);
    this.rules = Object.entries(json).map(([key, value]) => compile(key, value, source, opts.strict ?? true));
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * The settings for the module `name`: `base` with the first matching override applied, or
   * null when a `-:` rule says to leave it unquantized.
   */
  resolve(name: string, base: GptqConfig): GptqConfig | null {
    for (const r of this.rules) {
      if (!r.re.test(name)) continue;
      return r.skip ? null : { ...base, ...r.override };
    }
    return base;
  }
}

function compile(key: string, value: unknown, source: string, strict: boolean): Rule {
  const skip = key.startsWith("-:");
  const pattern = skip || key.startsWith("+:") ? key.slice(2) : key;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})`);
  } catch (e) {
    throw new QuantizeConfigError(
      `${source}: ${JSON.stringify(key)} is not a valid regex: ${(e as Error).message}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new QuantizeConfigError(`${source}[${JSON.stringify(key)}]: expected an object of settings`);
  const override: Partial<GptqConfig> = {};
  for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
    const spec = FIELDS[field as keyof DynamicOverride];
    if (!spec) {
      if (!strict) continue;
      throw new QuantizeConfigError(
        `${source}[${JSON.stringify(key)}]: unknown setting ${JSON.stringify(field)} (known: ${Object.keys(FIELDS).join(", ")})`,
      );
    }
    if (typeof v !== spec[1])
      throw new QuantizeConfigError(
        `${source}[${JSON.stringify(key)}].${field} must be a ${spec[1]}, got ${JSON.stringify(v)}`,
      );
    (override as Record<string, unknown>)[spec[0]] = v;
  }
  const where = `${source}[${JSON.stringify(key)}]`;
  if (override.bits !== undefined && !SUPPORTED_BITS.includes(override.bits))
    throw new QuantizeConfigError(
      `${where}.bits must be one of ${SUPPORTED_BITS.join(", ")}, got ${override.bits}`,
    );
  const gs = override.groupSize;
  if (gs !== undefined && gs !== -1 && !(Number.isInteger(gs) && gs > 0))
    throw new QuantizeConfigError(`${where}.group_size must be a positive integer or -1, got ${gs}`);
  return { key, skip, re, override };
}
