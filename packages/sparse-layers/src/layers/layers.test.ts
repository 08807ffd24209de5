import { add, Generator, linear, mul, nn, reshape, sum, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { gradcheck, maxAbsDiff, randn64 } from "../test-utils.js";
import {
  groupedFlops,
  groupedLoraFlops,
  groupedLoraParams,
  groupedParams,
  linearFlops,
  linearParams,
  loraFlops,
  loraParams,
} from "./counts.js";
import { GroupedLinear, groupedLinear } from "./grouped-linear.js";
import { GroupedLoRALinear } from "./grouped-lora-linear.js";
import { LoRALinear } from "./lora-linear.js";
import { lowRank } from "./low-rank.js";
import { channelShuffle } from "./permutation.js";

const x3 = (inF: number, seed = 1) => Tensor.randn([2, 3, inF], { generator: new Generator(seed) });

describe("GroupedLinear", () => {
  for (const permutation of ["none", "shuffle", [5, 0, 7, 2, 1, 6, 3, 4, 11, 9, 8, 10]] as const) {
    it(`equals a Linear with its block-diagonal dense weight (permutation ${JSON.stringify(permutation)})`, () => {
      const g = new GroupedLinear(12, 8, 4, { permutation, generator: new Generator(2) });
      const x = x3(12);
      const want = linear(x, g.denseWeight(), g.bias);
      const got = g.call(x);
      expect(got.shape).toEqual([2, 3, 8]);
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
      // Off-block entries of the dense weight are zero: count them.
      const zerosCount = (g.denseWeight().dataSync() as Float32Array).filter((v) => v === 0).length;
      expect(zerosCount).toBe(12 * 8 - (12 * 8) / 4);
    });
  }

  it("with one group is a Linear", () => {
    const g = new GroupedLinear(6, 5, 1, { generator: new Generator(3) });
    const lin = new nn.Linear(6, 5);
    lin.loadStateDict({ weight: reshape(g.weight.detach(), [5, 6]), bias: g.bias!.detach() });
    const x = x3(6);
    expect(maxAbsDiff(g.call(x), lin.call(x))).toBeLessThan(1e-6);
  });

  it("channel shuffle interleaves channels across groups", () => {
    expect(Array.from(channelShuffle(6, 2))).toEqual([0, 2, 4, 1, 3, 5]);
    expect(Array.from(channelShuffle(6, 3))).toEqual([0, 3, 1, 4, 2, 5]);
    expect(() => new GroupedLinear(6, 6, 2, { permutation: [0, 1, 2, 3, 4, 4] })).toThrow(
      /not a permutation/,
    );
    expect(() => new GroupedLinear(6, 5, 2)).toThrow(/dividing/);
  });

  it("has finite-difference-exact gradients for x, weight and bias (float64)", () => {
    const perm = Tensor.from(Int32Array.from([3, 1, 0, 5, 4, 2]), [6], { dtype: "int32" });
    const err = gradcheck(
      (x, w, b) => groupedLinear(x, w, b, perm),
      [randn64([2, 2, 6], 1), randn64([3, 2, 2], 2), randn64([6], 3)],
    );
    expect(err).toBeLessThan(1e-6);
    const errNoPerm = gradcheck(
      (x, w) => groupedLinear(x, w, null, null),
      [randn64([4, 6], 4), randn64([2, 3, 3], 5)],
    );
    expect(errNoPerm).toBeLessThan(1e-6);
  });
});

describe("low-rank paths", () => {
  it("lowRank and grouped + low-rank have finite-difference-exact gradients (float64)", () => {
    expect(
      gradcheck(
        (x, a, b) => lowRank(x, a, b, 0.5),
        [randn64([3, 5], 6), randn64([2, 5], 7), randn64([4, 2], 8)],
      ),
    ).toBeLessThan(1e-6);
    const both = (x: Tensor, w: Tensor, a: Tensor, b: Tensor) =>
      add(groupedLinear(x, w, null, null), lowRank(x, a, b, 2));
    expect(
      gradcheck(both, [randn64([3, 4], 9), randn64([2, 3, 2], 10), randn64([2, 4], 11), randn64([6, 2], 12)]),
    ).toBeLessThan(1e-6);
  });

  it("LoRALinear starts as its base (B = 0), freezes the base, and trains A and B", () => {
    const base = new nn.Linear(8, 6, { generator: new Generator(4) });
    const x = x3(8, 5);
    const before = base.call(x);
    const lora = new LoRALinear(base, 2, { alpha: 4, generator: new Generator(6) });
    expect(lora.lora.scale).toBe(2);
    expect(maxAbsDiff(lora.call(x), before)).toBe(0);
    // PEFT's A init: U(±1/√in).
    const a = Array.from(lora.lora.A.dataSync() as Float32Array);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(8));
    sum(mul(lora.call(x), lora.call(x))).backward();
    expect(base.weight.grad).toBeNull();
    expect(lora.lora.B.grad).not.toBeNull();
    expect(lora.numParameters({ trainableOnly: true })).toBe(2 * (8 + 6));
    expect(lora.numParameters()).toBe(loraParams(8, 6, 2, true));
    expect(lora.numParametersFormula({ trainableOnly: true })).toBe(2 * (8 + 6));
  });

  it("LoRALinear and GroupedLoRALinear merge into a Linear computing the same function", () => {
    const lora = new LoRALinear(new nn.Linear(8, 6, { generator: new Generator(4) }), 3, { alpha: 6 });
    lora.lora.B.assign(Tensor.randn([6, 3], { generator: new Generator(7) }));
    const x = x3(8, 8);
    expect(maxAbsDiff(lora.merge().call(x), lora.call(x))).toBeLessThan(1e-5);
    const gl = new GroupedLoRALinear(8, 6, 2, 3, { permutation: "shuffle", generator: new Generator(9) });
    gl.lora.B.assign(Tensor.randn([6, 3], { generator: new Generator(10) }));
    expect(maxAbsDiff(gl.merge().call(x), gl.call(x))).toBeLessThan(1e-5);
  });

  it("adapter dropout is active in training and off after eval()", () => {
    const gl = new GroupedLoRALinear(8, 8, 2, 4, { dropout: 0.5, generator: new Generator(11) });
    gl.lora.B.assign(Tensor.randn([8, 4], { generator: new Generator(12) }));
    const x = x3(8, 13);
    const train = gl.call(x);
    gl.eval();
    const ev = gl.call(x);
    expect(maxAbsDiff(train, ev)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(gl.call(x), ev)).toBe(0);
  });
});

describe("parameter and FLOP counts", () => {
  const shapes = [
    [8, 8, 1, 1],
    [12, 8, 4, 2],
    [896, 128, 4, 64],
    [64, 256, 8, 16],
  ] as const;
  for (const [inF, out, g, r] of shapes) {
    it(`match the modules exactly for in=${inF}, out=${out}, groups=${g}, rank=${r}`, () => {
      for (const bias of [true, false]) {
        const gl = new GroupedLinear(inF, out, g, { bias, permutation: "shuffle" });
        expect(gl.numParameters()).toBe(groupedParams(inF, out, g, bias));
        expect(gl.numParameters()).toBe((inF * out) / g + (bias ? out : 0));
        const glr = new GroupedLoRALinear(inF, out, g, r, { bias });
        expect(glr.numParameters()).toBe(groupedLoraParams(inF, out, g, r, bias));
        expect(glr.numParameters()).toBe((inF * out) / g + r * (inF + out) + (bias ? out : 0));
        expect(glr.numParametersFormula()).toBe(glr.numParameters());
        const lora = new LoRALinear(new nn.Linear(inF, out, { bias }), r);
        expect(lora.numParameters()).toBe(linearParams(inF, out, bias) + r * (inF + out));
      }
    });
  }

  it("FLOPs: 2 per multiply-add, 1 per bias add, scale and branch sum", () => {
    expect(linearFlops(4, 3, true)).toBe(2 * 12 + 3);
    expect(groupedFlops(4, 4, 1, false)).toBe(linearFlops(4, 4, false));
    expect(groupedFlops(8, 4, 2, true)).toBe(2 * 16 + 4);
    // 2·in·out/g + bias + 2·r·(in+out) + r (scale) + out (sum of the paths)
    expect(groupedLoraFlops(8, 4, 2, 3, true)).toBe(32 + 4 + 2 * 3 * 12 + 3 + 4);
    expect(loraFlops(8, 4, 3, false)).toBe(64 + 72 + 3 + 4);
    expect(new GroupedLoRALinear(8, 4, 2, 3).flopsPerToken()).toBe(groupedLoraFlops(8, 4, 2, 3, true));
  });
});
