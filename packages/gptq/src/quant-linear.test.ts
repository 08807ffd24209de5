import { Generator, linear, nn, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { gptqQuantize } from "./gptq.js";
import { HessianAccumulator } from "./hessian.js";
import { dequantizeGptq, packGptq } from "./pack.js";
import { QuantLinear } from "./quant-linear.js";

describe("QuantLinear", () => {
  const g = new Generator(11);
  const w = Tensor.randn([48, 64], { generator: g });
  const bias = Tensor.randn([48], { generator: g });
  const x = Tensor.randn([2, 5, 64], { generator: g });
  const acc = new HessianAccumulator(64);
  acc.add(x);
  const q = gptqQuantize(w, acc.hessian(), { bits: 4, groupSize: 32, actOrder: true });
  const layer = new QuantLinear(packGptq(q), bias);

  it("is a Module whose buffers carry checkpoint names", () => {
    expect(layer).toBeInstanceOf(nn.Module);
    expect(layer.namedBuffers().map(([n]) => n)).toEqual(["qweight", "qzeros", "scales", "g_idx", "bias"]);
    expect(layer.parameters()).toEqual([]);
    expect(layer.toString()).toContain("bits=4, group_size=32");
  });

  it("computes x Wᵀ + b with the dequantized weight", () => {
    const y = layer.call(x).dataSync() as Float32Array;
    const ref = linear(x, dequantizeGptq(layer.packed()), bias).dataSync() as Float32Array;
    // MatMulNBits sums in its own order: equal to float rounding.
    for (let i = 0; i < y.length; i++)
      expect(Math.abs(y[i] - ref[i])).toBeLessThan(1e-5 * (1 + Math.abs(ref[i])));
    const fake = linear(x, q.dequantized, bias).dataSync() as Float32Array;
    // float16 scales are the only difference from the fake-quantized weight.
    for (let i = 0; i < y.length; i++)
      expect(Math.abs(y[i] - fake[i])).toBeLessThan(2e-3 * Math.abs(fake[i]) + 1e-2);
    expect(Array.from(layer.dequantizedWeight().dataSync() as Float32Array)).toEqual(
      Array.from(dequantizeGptq(layer.packed()).dataSync() as Float32Array),
    );
  });

  it("keeps no float copy of its weight on the CPU", () => {
    layer.call(x);
    const floats = layer.namedBuffers().filter(([, t]) => t.dtype === "float32" && t.size >= 48 * 64);
    expect(floats).toEqual([]);
    expect((layer as unknown as { cache: { held: boolean } }).cache.held).toBe(false);
  });

  it("rejects a bias of the wrong size", () => {
    expect(() => new QuantLinear(packGptq(q), Tensor.zeros([47]))).toThrow(/bias must be \[48\]/);
  });
});
