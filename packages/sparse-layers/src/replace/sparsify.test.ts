import { Generator, nn, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { GroupedLinear } from "../layers/grouped-linear.js";
import { GroupedLoRALinear } from "../layers/grouped-lora-linear.js";
import { maxAbsDiff, TinyStack } from "../test-utils.js";
import { applySparse, formatReport, restoreDense, sparsify } from "./sparsify.js";

/** Attention-like block: q/k/v/o projections of mixed shapes, to exercise rules and skips. */
class Attn extends nn.Module {
  constructor() {
    super();
    const g = new Generator(1);
    this.child("q_proj", new nn.Linear(32, 32, { generator: g }));
    this.child("k_proj", new nn.Linear(32, 8, { generator: g }));
    this.child("v_proj", new nn.Linear(32, 6, { generator: g }));
    this.child("o_proj", new nn.Linear(32, 32, { bias: false, generator: g }));
    this.child("lm_head", new nn.Linear(32, 50, { bias: false, generator: g }));
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

describe("sparsify", () => {
  it("replaces the Linear layers the rules name, and reports exact counts", () => {
    const model = new Attn();
    const before = model.numParameters();
    const { report, replaced } = sparsify(model, {
      rules: [
        { pattern: /k_proj$/, groups: 4, rank: 8 },
        { pattern: /_proj$/, groups: 4, rank: 2, permutation: "shuffle" },
        { pattern: /lm_head/, groups: 2, rank: 1 },
      ],
      exclude: ["lm_head"],
      init: "none",
    });
    const rows = Object.fromEntries(report.modules.map((m) => [m.name, m]));
    expect(Object.keys(rows)).toEqual(["q_proj", "k_proj", "v_proj", "o_proj"]);
    // q: 32·32/4 + 2·64 + 32 bias
    expect(rows.q_proj).toMatchObject({
      replaced: true,
      paramsBefore: 32 * 32 + 32,
      paramsAfter: 256 + 128 + 32,
    });
    // k: 32·8/4 + 8·40 + 8 = 392 > 264 → stays dense
    expect(rows.k_proj.replaced).toBe(false);
    expect(rows.k_proj.skipped).toMatch(/not fewer/);
    expect(rows.v_proj.skipped).toMatch(/does not divide/);
    expect(rows.o_proj).toMatchObject({ replaced: true, paramsAfter: 256 + 128 });
    expect(replaced.map((r) => r.name)).toEqual(["q_proj", "o_proj"]);
    expect(model.get("q_proj")).toBeInstanceOf(GroupedLoRALinear);
    expect(model.get("k_proj")).toBeInstanceOf(nn.Linear);
    expect(report.modelParamsBefore).toBe(before);
    const saved = report.modules.reduce((s, m) => s + m.paramsBefore - m.paramsAfter, 0);
    expect(report.modelParamsAfter).toBe(before - saved);
    expect(report.modelParamsAfter).toBe(model.numParameters());
    expect(formatReport(report)).toMatch(/\| q_proj \| 32 → 32 \| 4 \| 2 \| 1,056 \| 416 \| 0.394 \|/);
  });

  it("rank 0 gives a GroupedLinear; restoreDense / applySparse swap back and forth", () => {
    const model = new TinyStack(16, 32, 2, 3);
    const x = Tensor.randn([5, 16], { generator: new Generator(4) });
    const y = noGrad(() => model.call(x));
    const { replaced } = sparsify(model, { rules: [{ pattern: "proj$", groups: 2, rank: 0 }] });
    expect(replaced).toHaveLength(4);
    expect(model.get("blocks.1.down_proj")).toBeInstanceOf(GroupedLinear);
    restoreDense(model, replaced);
    expect(noGrad(() => maxAbsDiff(model.call(x), y))).toBe(0);
    applySparse(model, replaced);
    expect(model.get("blocks.0.up_proj")).toBe(replaced[0].sparse);
  });

  it("with onlyIfSmaller off, replaces even when the layer grows", () => {
    const model = new Attn();
    const { report } = sparsify(model, {
      rules: [{ pattern: /k_proj$/, groups: 4, rank: 8 }],
      onlyIfSmaller: false,
      init: "none",
    });
    expect(report.modules[0]).toMatchObject({ replaced: true, paramsAfter: 64 + 320 + 8 });
  });
});
