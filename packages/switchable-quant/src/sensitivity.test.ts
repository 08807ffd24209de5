import { describe, expect, it } from "vitest";
import { greedyLower, greedyPathTable, greedyRaise } from "./greedy.js";
import { currentAssignment, makeSwitchable } from "./make-switchable.js";
import type { Metric } from "./metric.js";
import { parseLayerName, sensitivityHeatmap, sensitivityScan, sensitivityTable } from "./sensitivity.js";
import { batchOf, rSquared, trainedTinyNet } from "./testing/tiny-model.js";

const { model, task } = trainedTinyNet();
const layers = makeSwitchable(model);
// R² on a random half of the test set, drawn from the generator the scan hands over: the scan
// must be deterministic even though the metric is random.
const metric: Metric = (m, ctx) => rSquared(m, batchOf(task.test, 512, ctx.generator));

describe("sensitivity scan", () => {
  it("parses layer and sub-module from module names", () => {
    expect(parseLayerName("transformer.h.3.attn.c_attn")).toEqual({ layer: 3, sub: "attn.c_attn" });
    expect(parseLayerName("model.layers.12.mlp.down_proj")).toEqual({ layer: 12, sub: "mlp.down_proj" });
    expect(parseLayerName("lm_head")).toBeNull();
  });

  it("is deterministic given a seed, restores the model, and writes a table and a heat-map", async () => {
    const before = currentAssignment(layers);
    const a = await sensitivityScan(model, metric, { low: { bits: 2 }, granularity: "fine", seed: 7 });
    const b = await sensitivityScan(model, metric, { low: { bits: 2 }, granularity: "fine", seed: 7 });
    expect(b).toEqual(a);
    const c = await sensitivityScan(model, metric, { low: { bits: 2 }, granularity: "fine", seed: 8 });
    expect(c.baseline).not.toBe(a.baseline);
    expect(currentAssignment(layers)).toEqual(before);
    expect(a.rows).toHaveLength(10);
    expect(a.rows.some((r) => r.drop > 0.005)).toBe(true);
    const table = sensitivityTable(a);
    const svg = sensitivityHeatmap(a);
    console.log(table);
    expect(table).toContain("| h.0.attn.c_attn | 0 | attn.c_attn |");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("layer 1");
    expect(svg).toContain("mlp.c_proj");
  });

  it("coarse: flips every sub-module of one block at a time", async () => {
    const r = await sensitivityScan(model, metric, { low: { bits: 2 }, granularity: "coarse", seed: 7 });
    expect(r.rows.map((x) => x.unit)).toEqual(["embed", "layer 0", "layer 1", "head"]);
    expect(r.rows[1].modules).toHaveLength(4);
    console.log(sensitivityTable(r));
  });
});

describe("greedy allocation", () => {
  it("lowers the least sensitive modules while the metric stays within budget", async () => {
    const r = await greedyLower(model, metric, { ladder: [4, 2], budget: { relative: 0.05 }, seed: 3 });
    console.log(greedyPathTable(r));
    expect(r.met).toBe(true);
    expect(r.metric).toBeGreaterThanOrEqual(r.budget);
    expect(r.budget).toBeCloseTo(r.reference * 0.95, 12);
    const kept = r.path.filter((s) => s.accepted);
    expect(kept.length).toBeGreaterThan(3);
    for (const s of kept) expect(s.metric).toBeGreaterThanOrEqual(r.budget);
    // Memory only falls along the kept flips, and ends well under fp16's 16 bits per weight.
    for (let i = 1; i < kept.length; i++) expect(kept[i].bytes).toBeLessThan(kept[i - 1].bytes);
    expect(r.memory.avgBits).toBeLessThan(8);
    // The model is left in the chosen configuration.
    expect(currentAssignment(layers)).toEqual(r.assignment);
    // A tight budget rejects some 2-bit flips.
    expect(r.path.some((s) => !s.accepted)).toBe(true);
  });

  it("raises the most sensitive modules from 2 bits until the budget is met", async () => {
    const r = await greedyRaise(model, metric, { low: 2, budget: { relative: 0.02 }, seed: 3 });
    console.log(greedyPathTable(r));
    expect(r.start).toBeLessThan(r.budget);
    expect(r.met).toBe(true);
    expect(r.path.length).toBeGreaterThan(0);
    expect(r.path.length).toBeLessThan(10);
    for (let i = 1; i < r.path.length; i++) expect(r.path[i].bytes).toBeGreaterThan(r.path[i - 1].bytes);
  });
});
