import { join } from "node:path";
import { rtnQuantizeModel } from "@shrinkray/gptq";
import { loadPretrained } from "@shrinkray/models";
import {
  GroupedLinear,
  GroupedLoRALinear,
  LoRALinear,
  LowRankAdapter,
  sparsify,
} from "@shrinkray/sparse-layers";
import { nn, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { exportOnnx } from "./export.js";
import { isGrouped, isLowRank, sumOfChildren } from "./layers/sparse.js";
import { compareWithOrt, scratch, TOY } from "./test-helpers.js";

const PROMPTS = [
  [1, 17, 42, 9, 25, 7, 3],
  [1, 30, 5, 61],
];

describe("sparse-layers' layers are recognised by structure", () => {
  it("GroupedLinear, LowRankAdapter and the two sums; a plain Linear is none of them", () => {
    const grouped = new GroupedLinear(16, 8, 4);
    const lowRank = new LowRankAdapter(16, 8, 2);
    expect(isGrouped(grouped)).toBe(true);
    expect(isLowRank(lowRank)).toBe(true);
    expect(isGrouped(lowRank) || isLowRank(grouped)).toBe(false);
    expect(sumOfChildren(new GroupedLoRALinear(16, 8, 4, 2))?.map(([n]) => n)).toEqual(["grouped", "lora"]);
    expect(sumOfChildren(new LoRALinear(new nn.Linear(16, 8), 2))?.map(([n]) => n)).toEqual([
      "base_layer",
      "lora",
    ]);
    const dense = new nn.Linear(16, 8);
    expect(isGrouped(dense) || isLowRank(dense) || sumOfChildren(dense) !== null).toBe(false);
  });
});

describe("grouped + low-rank export: logits equal our forward", () => {
  it("the toy model with grouped + LoRA attention (shuffled groups) and grouped-only MLP", async () => {
    const model = await loadPretrained(TOY);
    sparsify(model, {
      rules: [
        { pattern: "self_attn\\.(q|k|v|o)_proj$", groups: 4, rank: 8, permutation: "shuffle", alpha: 16 },
        { pattern: "mlp\\.", groups: 2, rank: 0 },
      ],
      exclude: ["lm_head"],
      init: "none",
    });
    // init "none" leaves the low-rank B at zero; give it weights so the path is exercised.
    noGrad(() => {
      for (const [n, p] of model.namedParameters())
        if (n.endsWith("lora.B")) p.assign(Tensor.randn(p.shape).mul(0.05));
    });
    const out = join(scratch("sparse"), "onnx");
    const r = await exportOnnx(model, out);
    const kinds = new Set(r.layers.map((l) => l.kind));
    expect([...kinds].sort()).toEqual(["float", "grouped", "low-rank", "sum"]);
    const c = await compareWithOrt(model, out, PROMPTS);
    for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(1e-4);
  });

  it("LoRA around a 4-bit QuantLinear (base_layer + lora) exports as MatMulNBits plus two matmuls", async () => {
    const model = await loadPretrained(TOY);
    rtnQuantizeModel(model, { bits: 4, groupSize: 32, sym: false });
    const name = "model.layers.0.mlp.down_proj";
    const base = model.get(name);
    const lora = new LoRALinear(base as unknown as nn.Linear, 4);
    noGrad(() => lora.lora.B.assign(Tensor.randn(lora.lora.B.shape).mul(0.05)));
    model.replace(name, lora);
    const out = join(scratch("qlora"), "onnx");
    const r = await exportOnnx(model, out);
    expect(r.layers.filter((l) => l.name.startsWith(name)).map((l) => l.kind)).toEqual([
      "sum",
      "matmulnbits",
      "low-rank",
    ]);
    const c = await compareWithOrt(model, out, PROMPTS);
    for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(1e-3);
  });
});
