import { Generator, nn, optim, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { fakeQuantize } from "./fake-quant.js";
import { makeSwitchable } from "./make-switchable.js";
import { SwitchableLinear } from "./switchable-linear.js";
import { TinyNet } from "./testing/tiny-model.js";

const arr = (t: Tensor) => Array.from(t.dataSync() as Float32Array);

function layer() {
  const lin = new nn.Linear(32, 8, { generator: new Generator(3) });
  return { lin, s: SwitchableLinear.fromLinear(lin, { groupSize: 16 }) };
}

describe("SwitchableLinear", () => {
  it("shares the Linear's weight and matches it at full precision", () => {
    const { lin, s } = layer();
    expect(s.weight).toBe(lin.weight);
    const x = Tensor.randn([5, 32], { generator: new Generator(1) });
    expect(arr(s.call(x))).toEqual(arr(lin.call(x)));
  });

  it("computes with the fake-quantized weight at the width set at run time", () => {
    const { lin, s } = layer();
    const x = Tensor.randn([5, 32], { generator: new Generator(1) });
    for (const bits of [2, 4, 8] as const) {
      s.bits = bits;
      const wq = fakeQuantize(lin.weight, { bits, groupSize: 16, sym: false });
      const ref = x.matmul(wq.transpose()).add(lin.bias!);
      arr(s.call(x)).forEach((v, i) => {
        expect(v).toBeCloseTo(arr(ref)[i], 5);
      });
    }
    expect(() => {
      s.bits = 9 as never;
    }).toThrow(/bits must be one of/);
  });

  it("switches LoRA adapters with the bits; only the active one gets gradients", () => {
    const { s } = layer();
    s.addAdapters([2, 4], { rank: 4, alpha: 8, generator: new Generator(5) });
    s.freezeBase();
    const x = Tensor.randn([5, 32], { generator: new Generator(1) });
    // B starts at zero: adding adapters changes nothing until they train.
    s.bits = 4;
    const before = arr(s.call(x));
    s.adapter(4)!.loraB.assign(Tensor.full([8, 4], 0.1));
    expect(arr(s.call(x))).not.toEqual(before);
    s.bits = 2;
    s.call(x).sum().backward();
    expect(s.adapter(2)!.loraA.grad).not.toBeNull();
    expect(s.adapter(2)!.loraB.grad).not.toBeNull();
    expect(s.adapter(4)!.loraA.grad).toBeNull();
    expect(s.adapter(4)!.loraB.grad).toBeNull();
    expect(s.weight.grad).toBeNull();
    expect(s.adapterBits).toEqual([2, 4]);
    const names = s.namedParameters().map(([n]) => n);
    expect(names).toContain("lora_2.lora_A");
    expect(names).toContain("lora_4.lora_B");
  });

  it("learns a step size per width (LSQ) that gets gradients and moves under AdamW", () => {
    const { s } = layer();
    s.learnStepSizes([4]);
    s.bits = 4;
    const step = s.stepSize(4)!;
    expect(step.scale.shape).toEqual([2, 8]);
    // At initialisation the learned grid is the min-max grid.
    expect(arr(s.effectiveWeight())).toEqual(arr(fakeQuantize(s.weight, s.spec)));
    const opt = new optim.AdamW([step.scale], { lr: 1e-3, weightDecay: 0 });
    const before = arr(step.scale);
    const x = Tensor.randn([16, 32], { generator: new Generator(1) });
    s.call(x).square().mean().backward();
    expect(step.scale.grad).not.toBeNull();
    opt.step();
    expect(arr(step.scale)).not.toEqual(before);
  });

  it("makeSwitchable replaces Linears by name, keeps skipped ones, and sets their specs", () => {
    const model = new TinyNet();
    const layers = makeSwitchable(model, {
      bits: 4,
      groupSize: 16,
      dynamic: { "-:embed": {}, "-:head$": {}, "+:.*mlp\\.c_fc": { bits: 8, group_size: 32 } },
    });
    expect([...layers.keys()]).toEqual([
      "h.0.attn.c_attn",
      "h.0.attn.c_proj",
      "h.0.mlp.c_fc",
      "h.0.mlp.c_proj",
      "h.1.attn.c_attn",
      "h.1.attn.c_proj",
      "h.1.mlp.c_fc",
      "h.1.mlp.c_proj",
    ]);
    expect(model.get("embed")).toBeInstanceOf(nn.Linear);
    expect(model.get("h.0.mlp.c_fc")).toBe(layers.get("h.0.mlp.c_fc"));
    expect(layers.get("h.1.mlp.c_fc")!.spec).toEqual({ bits: 8, groupSize: 32, sym: false });
    expect(layers.get("h.1.attn.c_proj")!.spec).toEqual({ bits: 4, groupSize: 16, sym: false });
    // The forward still runs through the parent's fields.
    expect(model.call(Tensor.randn([2, 16])).shape).toEqual([2, 4]);
  });
});
