import type { nn } from "@shrinkray/tensor-cuda";
import { type BitWidth, checkBitWidth, type QuantSpec } from "./bits.js";
import { type Assignment, assignmentMemory, type MemoryOptions, type MemoryReport } from "./config.js";
import { applyAssignment, currentAssignment, layerShapes, switchableLayers } from "./make-switchable.js";
import { dropFrom, type Metric, measure } from "./metric.js";
import { type Granularity, lowered, type NameParts, sensitivityUnits, type Unit } from "./sensitivity.js";

/** How far the metric may fall: a fraction of the full-precision value, or an absolute floor. */
export interface Budget {
  /** e.g. 0.1: at most 10% worse than full precision. */
  relative?: number;
  /** The worst acceptable metric value itself. */
  absolute?: number;
}

/** The worst acceptable value of the metric. */
export function budgetValue(reference: number, budget: Budget, higherIsBetter: boolean): number {
  if (budget.absolute !== undefined) return budget.absolute;
  if (budget.relative === undefined) throw new RangeError("budget: give relative or absolute");
  const slack = Math.abs(reference) * budget.relative;
  return higherIsBetter ? reference - slack : reference + slack;
}

function meets(value: number, limit: number, higherIsBetter: boolean): boolean {
  return higherIsBetter ? value >= limit : value <= limit;
}

export interface GreedyStep {
  unit: string;
  modules: string[];
  from: BitWidth;
  to: BitWidth;
  /** The metric with this flip applied (kept or not). */
  metric: number;
  /** Memory of the configuration after the step (the flip undone if it was rejected). */
  bytes: number;
  avgBits: number;
  accepted: boolean;
}

export interface GreedyResult {
  direction: "lower" | "raise";
  /** The metric at full precision, which the budget is taken from. */
  reference: number;
  budget: number;
  /** The metric of the starting configuration. */
  start: number;
  path: GreedyStep[];
  assignment: Assignment;
  metric: number;
  memory: MemoryReport;
  met: boolean;
}

export interface GreedyCommon {
  budget: Budget;
  granularity?: Granularity;
  seed?: number;
  higherIsBetter?: boolean;
  /** Full precision, where lowering starts and what raising restores; default 16. */
  high?: BitWidth;
  groupSize?: number;
  sym?: boolean;
  parse?: (name: string) => NameParts | null;
  memory?: MemoryOptions;
}

export interface GreedyLowerOptions extends GreedyCommon {
  /** Widths to lower to, in order (e.g. [4, 2]: everything that can go to 4, then to 2). */
  ladder: readonly BitWidth[];
}

export interface GreedyRaiseOptions extends GreedyCommon {
  /** The width everything starts at. */
  low: BitWidth;
}

interface Ctx {
  model: nn.AnyModule;
  metric: Metric;
  seed: number;
  hib: boolean;
  layers: ReturnType<typeof switchableLayers>;
  shapes: ReturnType<typeof layerShapes>;
  memOpts?: MemoryOptions;
}

async function evaluate(c: Ctx, a: Assignment): Promise<number> {
  applyAssignment(c.layers, a);
  return measure(c.model, c.metric, c.seed);
}

function setUnit(a: Assignment, u: Unit, spec: (old: QuantSpec | null) => QuantSpec): Assignment {
  const out = new Map(a);
  for (const n of u.modules) out.set(n, spec(a.get(n) ?? null));
  return out;
}

function unitBits(a: Assignment, u: Unit): BitWidth {
  return Math.max(...u.modules.map((n) => a.get(n)?.bits ?? 32)) as BitWidth;
}

function setup(model: nn.AnyModule, metric: Metric, o: GreedyCommon) {
  const layers = switchableLayers(model);
  if (layers.size === 0)
    throw new RangeError("greedy allocation: the model has no SwitchableLinear (run makeSwitchable first)");
  const high = o.high ?? 16;
  checkBitWidth(high, "greedy allocation high");
  const c: Ctx = {
    model,
    metric,
    seed: o.seed ?? 0,
    hib: o.higherIsBetter ?? true,
    layers,
    shapes: layerShapes(layers),
    memOpts: o.memory,
  };
  const original = currentAssignment(layers);
  const spec = (bits: BitWidth, old: QuantSpec | null): QuantSpec =>
    lowered(old, { bits, groupSize: o.groupSize, sym: o.sym });
  const full: Assignment = new Map([...original].map(([n, s]) => [n, spec(high, s)]));
  const units = sensitivityUnits([...layers.keys()], o.granularity ?? "fine", o.parse);
  return { c, original, spec, full, units, high };
}

function step(
  c: Ctx,
  u: Unit,
  from: BitWidth,
  to: BitWidth,
  metric: number,
  kept: Assignment,
  accepted: boolean,
): GreedyStep {
  const mem = assignmentMemory(c.shapes, kept, c.memOpts);
  return {
    unit: u.key,
    modules: u.modules,
    from,
    to,
    metric,
    bytes: mem.bytes,
    avgBits: mem.avgBits,
    accepted,
  };
}

/**
 * From full precision, lowers the least sensitive units first, rung by rung of `ladder`, keeping
 * each flip only if the metric stays within budget (a flip that breaks it is undone and the next
 * unit is tried). Sensitivity is re-measured at the start of each rung from the configuration
 * reached so far. The model is left in the final configuration.
 */
export async function greedyLower(
  model: nn.AnyModule,
  metric: Metric,
  o: GreedyLowerOptions,
): Promise<GreedyResult> {
  const { c, spec, full, units } = setup(model, metric, o);
  const reference = await evaluate(c, full);
  const limit = budgetValue(reference, o.budget, c.hib);
  let cur = full;
  let curMetric = reference;
  const path: GreedyStep[] = [];
  for (const rung of o.ladder) {
    checkBitWidth(rung, "greedyLower ladder");
    const candidates = units.filter((u) => unitBits(cur, u) > rung);
    const scored: { u: Unit; drop: number; m: number }[] = [];
    for (const u of candidates) {
      const m = await evaluate(
        c,
        setUnit(cur, u, (old) => spec(rung, old)),
      );
      scored.push({ u, m, drop: dropFrom(curMetric, m, c.hib) });
    }
    scored.sort((a, b) => a.drop - b.drop);
    let changed = false;
    for (const { u, m: alone } of scored) {
      const from = unitBits(cur, u);
      const next = setUnit(cur, u, (old) => spec(rung, old));
      // The first flip of a rung was measured exactly so in the scan.
      const m = changed ? await evaluate(c, next) : alone;
      const ok = meets(m, limit, c.hib);
      if (ok) {
        cur = next;
        curMetric = m;
        changed = true;
      }
      path.push(step(c, u, from, rung, m, cur, ok));
    }
  }
  applyAssignment(c.layers, cur);
  return {
    direction: "lower",
    reference,
    budget: limit,
    start: reference,
    path,
    assignment: cur,
    metric: curMetric,
    memory: assignmentMemory(c.shapes, cur, c.memOpts),
    met: meets(curMetric, limit, c.hib),
  };
}

/**
 * The reverse: from everything at `low`, raises the most sensitive units (the largest gain when
 * raised alone) back to full precision, one at a time, until the metric is within budget. The
 * model is left in the final configuration.
 */
export async function greedyRaise(
  model: nn.AnyModule,
  metric: Metric,
  o: GreedyRaiseOptions,
): Promise<GreedyResult> {
  checkBitWidth(o.low, "greedyRaise low");
  const { c, spec, full, units, high } = setup(model, metric, o);
  const reference = await evaluate(c, full);
  const limit = budgetValue(reference, o.budget, c.hib);
  let cur: Assignment = new Map([...full].map(([n, s]) => [n, spec(o.low, s)]));
  let curMetric = await evaluate(c, cur);
  const start = curMetric;
  const scored: { u: Unit; gain: number }[] = [];
  for (const u of units) {
    const m = await evaluate(
      c,
      setUnit(cur, u, (old) => spec(high, old)),
    );
    scored.push({ u, gain: dropFrom(m, curMetric, c.hib) });
  }
  scored.sort((a, b) => b.gain - a.gain);
  const path: GreedyStep[] = [];
  for (const { u } of scored) {
    if (meets(curMetric, limit, c.hib)) break;
    cur = setUnit(cur, u, (old) => spec(high, old));
    curMetric = await evaluate(c, cur);
    path.push(step(c, u, o.low, high, curMetric, cur, true));
  }
  applyAssignment(c.layers, cur);
  return {
    direction: "raise",
    reference,
    budget: limit,
    start,
    path,
    assignment: cur,
    metric: curMetric,
    memory: assignmentMemory(c.shapes, cur, c.memOpts),
    met: meets(curMetric, limit, c.hib),
  };
}

/** The path as a Markdown table. */
export function greedyPathTable(r: GreedyResult, digits = 4): string {
  const lines = [
    `Greedy ${r.direction}: reference ${r.reference.toFixed(digits)}, budget ${r.budget.toFixed(digits)}, start ${r.start.toFixed(digits)}, final ${r.metric.toFixed(digits)} (${r.met ? "meets" : "misses"} budget), ${r.memory.avgBits.toFixed(2)} bits/weight, ${r.memory.bytes} bytes`,
    "",
    "| # | unit | bits | metric | kept | bytes | bits/weight |",
    "|---:|---|---|---:|---|---:|---:|",
  ];
  r.path.forEach((s, i) => {
    lines.push(
      `| ${i + 1} | ${s.unit} | ${s.from}→${s.to} | ${s.metric.toFixed(digits)} | ${s.accepted ? "yes" : "no"} | ${s.bytes} | ${s.avgBits.toFixed(2)} |`,
    );
  });
  return `${lines.join("\n")}\n`;
}
