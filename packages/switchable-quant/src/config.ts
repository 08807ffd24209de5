import {
  type BitWidth,
  checkBitWidth,
  checkGroupSize,
  FULL_PRECISION,
  isQuantized,
  type QuantSpec,
} from "./bits.js";

/** One override in GPTQModel's `dynamic` form (snake_case, as the JSON is written). */
export interface DynamicOverride {
  bits?: BitWidth;
  group_size?: number;
  sym?: boolean;
}

/**
 * A bit-width configuration: a default spec plus GPTQModel's `dynamic` overrides, keyed by a
 * module-name regex. `"+:re"` (or a bare `"re"`) applies the override to matching modules;
 * `"-:re"` (value `{}`) skips them: they stay unquantized. As in GPTQModel, a pattern matches from
 * the start of the name (Python's re.match) and the first matching key, in key order, wins.
 */
export interface BitConfig {
  bits: BitWidth;
  groupSize?: number;
  sym?: boolean;
  dynamic?: Record<string, DynamicOverride>;
}

/** What each named module runs at: a spec, or null when the module is skipped (not quantized). */
export type Assignment = Map<string, QuantSpec | null>;

export class BitConfigError extends Error {
  override name = "BitConfigError";
}

interface CompiledRule {
  key: string;
  skip: boolean;
  re: RegExp;
  override: DynamicOverride;
}

function compile(config: BitConfig): CompiledRule[] {
  return Object.entries(config.dynamic ?? {}).map(([key, override]) => {
    const skip = key.startsWith("-:");
    const body = key.startsWith("+:") || skip ? key.slice(2) : key;
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${body})`);
    } catch (e) {
      throw new BitConfigError(`dynamic["${key}"]: not a valid regular expression (${(e as Error).message})`);
    }
    if (override === null || typeof override !== "object")
      throw new BitConfigError(`dynamic["${key}"]: expected an object, got ${JSON.stringify(override)}`);
    if (override.bits !== undefined) checkBitWidth(override.bits, `dynamic["${key}"].bits`);
    if (override.group_size !== undefined)
      checkGroupSize(override.group_size, `dynamic["${key}"].group_size`);
    return { key, skip, re, override };
  });
}

/** The spec of every name under `config` (null: skipped). */
export function resolveConfig(config: BitConfig, names: Iterable<string>): Assignment {
  checkBitWidth(config.bits, "BitConfig.bits");
  const base: QuantSpec = { bits: config.bits, groupSize: config.groupSize ?? -1, sym: config.sym ?? false };
  checkGroupSize(base.groupSize, "BitConfig.groupSize");
  const rules = compile(config);
  const out: Assignment = new Map();
  for (const name of names) {
    const rule = rules.find((r) => r.re.test(name));
    if (!rule) out.set(name, { ...base });
    else if (rule.skip) out.set(name, null);
    else
      out.set(name, {
        bits: rule.override.bits ?? base.bits,
        groupSize: rule.override.group_size ?? base.groupSize,
        sym: rule.override.sym ?? base.sym,
      });
  }
  return out;
}

/** Whether `name` is skipped ("-:" pattern) under `config`. */
export function isSkipped(config: BitConfig, name: string): boolean {
  return resolveConfig(config, [name]).get(name) === null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The shortest faithful BitConfig for an assignment: the most common spec becomes the default,
 * every other module gets an exact-name `+:` override, and skipped modules a `-:` entry.
 */
export function assignmentToConfig(assignment: Assignment): BitConfig {
  const counts = new Map<string, { spec: QuantSpec; n: number }>();
  for (const spec of assignment.values()) {
    if (!spec) continue;
    const k = JSON.stringify(spec);
    const c = counts.get(k) ?? { spec, n: 0 };
    c.n++;
    counts.set(k, c);
  }
  const base = [...counts.values()].sort((a, b) => b.n - a.n)[0]?.spec ?? {
    bits: FULL_PRECISION,
    groupSize: -1,
    sym: false,
  };
  const dynamic: Record<string, DynamicOverride> = {};
  for (const [name, spec] of assignment) {
    const exact = `${escapeRegExp(name)}$`;
    if (!spec) dynamic[`-:${exact}`] = {};
    else if (JSON.stringify(spec) !== JSON.stringify(base))
      dynamic[`+:${exact}`] = { bits: spec.bits, group_size: spec.groupSize, sym: spec.sym };
  }
  return { bits: base.bits, groupSize: base.groupSize, sym: base.sym, dynamic };
}

/** The shape of a quantizable layer, for memory accounting. */
export interface LayerShape {
  name: string;
  outFeatures: number;
  inFeatures: number;
}

export interface MemoryOptions {
  /** Bits per weight of a skipped (unquantized) layer as shipped; default 16 (an fp16 checkpoint). */
  unquantizedBits?: number;
  /** Bits of each group's scale and of its zero point; default 16 each (fp16). */
  scaleBits?: number;
  zeroBits?: number;
}

export interface MemoryReport {
  /** Weights counted (of the layers given; biases and other tensors are not). */
  weights: number;
  bytes: number;
  /** bytes·8 / weights: the average bits per weight, scales and zeros included. */
  avgBits: number;
  perLayer: { name: string; bits: number; bytes: number }[];
}

/**
 * The storage the layers' weights take under an assignment: codes at `bits` each plus one scale
 * and one zero per (group, output channel) for quantized layers; 2 or 4 bytes per weight for
 * widths 16 and 32; `unquantizedBits` for skipped ones.
 */
export function assignmentMemory(
  layers: readonly LayerShape[],
  assignment: Assignment,
  opts: MemoryOptions = {},
): MemoryReport {
  const skipBits = opts.unquantizedBits ?? 16;
  const perGroup = (opts.scaleBits ?? 16) + (opts.zeroBits ?? 16);
  let weights = 0;
  let bits = 0;
  const perLayer: MemoryReport["perLayer"] = [];
  for (const l of layers) {
    const n = l.outFeatures * l.inFeatures;
    const spec = assignment.get(l.name);
    let b: number;
    if (spec === undefined) throw new BitConfigError(`assignmentMemory: no spec for layer "${l.name}"`);
    if (spec === null) b = n * skipBits;
    else if (!isQuantized(spec.bits)) b = n * spec.bits;
    else {
      const groups = spec.groupSize === -1 ? 1 : Math.ceil(l.inFeatures / spec.groupSize);
      b = n * spec.bits + groups * l.outFeatures * perGroup;
    }
    weights += n;
    bits += b;
    perLayer.push({ name: l.name, bits: b / n, bytes: b / 8 });
  }
  return { weights, bytes: bits / 8, avgBits: weights ? bits / weights : 0, perLayer };
}

/** Memory of a BitConfig over the given layers. */
export function configMemory(
  layers: readonly LayerShape[],
  config: BitConfig,
  opts: MemoryOptions = {},
): MemoryReport {
  return assignmentMemory(
    layers,
    resolveConfig(
      config,
      layers.map((l) => l.name),
    ),
    opts,
  );
}
