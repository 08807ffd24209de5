import type { nn } from "@shrinkray/tensor-cuda";
import { type BitWidth, checkBitWidth, type QuantSpec } from "./bits.js";
import type { Assignment } from "./config.js";
import { applyAssignment, currentAssignment, switchableLayers } from "./make-switchable.js";
import { dropFrom, type Metric, measure } from "./metric.js";
import { heatmapSvg } from "./svg.js";

export type Granularity = "fine" | "coarse";

/** Where a module sits: its block index and its name inside the block ("attn.c_attn"). */
export interface NameParts {
  layer: number;
  sub: string;
}

/**
 * Splits a dotted module name at its last numeric component: "transformer.h.3.attn.c_attn" is
 * layer 3, sub-module "attn.c_attn". Names with no numeric component (a head) give null.
 */
export function parseLayerName(name: string): NameParts | null {
  const m = /(?:^|.*\.)(\d+)\.(.+)$/.exec(name);
  return m ? { layer: Number(m[1]), sub: m[2] } : null;
}

/** What a scan flips at once: one module (fine), or every module of one block (coarse). */
export interface Unit {
  key: string;
  layer: number | null;
  sub: string | null;
  modules: string[];
}

export function sensitivityUnits(
  names: readonly string[],
  granularity: Granularity,
  parse: (name: string) => NameParts | null = parseLayerName,
): Unit[] {
  if (granularity === "fine") {
    return names.map((n) => {
      const p = parse(n);
      return { key: n, layer: p?.layer ?? null, sub: p?.sub ?? null, modules: [n] };
    });
  }
  const units = new Map<string, Unit>();
  for (const n of names) {
    const p = parse(n);
    const key = p ? `layer ${p.layer}` : n;
    const u = units.get(key) ?? { key, layer: p?.layer ?? null, sub: p ? "all" : null, modules: [] };
    u.modules.push(n);
    units.set(key, u);
  }
  return [...units.values()];
}

export interface SensitivityOptions {
  /** The width each unit is flipped to; group size and symmetry default to each layer's own. */
  low: { bits: BitWidth; groupSize?: number; sym?: boolean };
  granularity?: Granularity;
  /** Seed handed to every metric call (default 0): the scan is a pure function of it. */
  seed?: number;
  /** Default true (accuracy); false for losses and perplexity. */
  higherIsBetter?: boolean;
  /** The configuration every flip starts from; default: the layers' current one. */
  base?: Assignment;
  parse?: (name: string) => NameParts | null;
}

export interface SensitivityRow {
  unit: string;
  layer: number | null;
  sub: string | null;
  modules: string[];
  metric: number;
  /** How much worse than the baseline (positive: worse), whatever the metric's direction. */
  drop: number;
}

export interface SensitivityResult {
  baseline: number;
  lowBits: BitWidth;
  granularity: Granularity;
  seed: number;
  higherIsBetter: boolean;
  rows: SensitivityRow[];
}

/** `spec` with the flip's width, keeping a layer's group size and symmetry unless overridden. */
export function lowered(spec: QuantSpec | null, low: SensitivityOptions["low"]): QuantSpec {
  return {
    bits: low.bits,
    groupSize: low.groupSize ?? spec?.groupSize ?? -1,
    sym: low.sym ?? spec?.sym ?? false,
  };
}

/**
 * Flips one unit at a time to the low width, measures the metric, and flips it back. The model's
 * configuration is restored at the end.
 */
export async function sensitivityScan(
  model: nn.AnyModule,
  metric: Metric,
  opts: SensitivityOptions,
): Promise<SensitivityResult> {
  checkBitWidth(opts.low.bits, "sensitivityScan low.bits");
  const layers = switchableLayers(model);
  if (layers.size === 0)
    throw new RangeError("sensitivityScan: the model has no SwitchableLinear (run makeSwitchable first)");
  const seed = opts.seed ?? 0;
  const higherIsBetter = opts.higherIsBetter ?? true;
  const granularity = opts.granularity ?? "fine";
  const original = currentAssignment(layers);
  const base = opts.base ?? original;
  const rows: SensitivityRow[] = [];
  let baseline: number;
  try {
    applyAssignment(layers, base);
    baseline = await measure(model, metric, seed);
    for (const u of sensitivityUnits([...layers.keys()], granularity, opts.parse)) {
      const flipped = new Map(base);
      for (const n of u.modules) flipped.set(n, lowered(base.get(n) ?? null, opts.low));
      applyAssignment(layers, flipped);
      const m = await measure(model, metric, seed);
      rows.push({
        unit: u.key,
        layer: u.layer,
        sub: u.sub,
        modules: u.modules,
        metric: m,
        drop: dropFrom(baseline, m, higherIsBetter),
      });
      applyAssignment(layers, base);
    }
  } finally {
    applyAssignment(layers, original);
  }
  return { baseline, lowBits: opts.low.bits, granularity, seed, higherIsBetter, rows };
}

/** The scan as a Markdown table, most sensitive first. */
export function sensitivityTable(r: SensitivityResult, digits = 4): string {
  const lines = [
    `Sensitivity at ${r.lowBits} bits (${r.granularity}, seed ${r.seed}); baseline ${r.baseline.toFixed(digits)}`,
    "",
    "| unit | layer | sub-module | metric | drop |",
    "|---|---:|---|---:|---:|",
  ];
  const sorted = [...r.rows].sort((a, b) => b.drop - a.drop);
  for (const row of sorted) {
    lines.push(
      `| ${row.unit} | ${row.layer ?? "–"} | ${row.sub ?? "–"} | ${row.metric.toFixed(digits)} | ${row.drop.toFixed(digits)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The scan as an SVG heat-map, layers × sub-modules, coloured by drop (units with no layer left out). */
export function sensitivityHeatmap(r: SensitivityResult): string {
  const rows = r.rows.filter((x) => x.layer !== null);
  const layers = [...new Set(rows.map((x) => x.layer as number))].sort((a, b) => a - b);
  const subs = [...new Set(rows.map((x) => x.sub as string))];
  const values = layers.map((l) =>
    subs.map((s) => rows.find((x) => x.layer === l && x.sub === s)?.drop ?? Number.NaN),
  );
  return heatmapSvg({
    title: `Metric drop at ${r.lowBits} bits (${r.granularity}; baseline ${r.baseline.toFixed(4)})`,
    rowLabels: layers.map((l) => `layer ${l}`),
    colLabels: subs,
    values,
    format: (v) => v.toFixed(4),
  });
}
