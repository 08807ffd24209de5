import { cuda, Generator, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { gptqQuantize } from "./gptq.js";
import { HessianAccumulator } from "./hessian.js";
import { packGptq } from "./pack.js";
import { QuantLinear } from "./quant-linear.js";
import type { Bits } from "./quantizer.js";

/*
 * QuantLinear with its packed buffers on tensor-cuda's emulated CUDA device (quant.cu compiled
 * for the CPU where g++ exists, else its JavaScript model) against the host unpacker, for every
 * bit width (3-bit codes straddle words), grouped and act-order g_idx.
 */

function layerFor(bits: Bits, groupSize: number, seed: number): { layer: QuantLinear; x: Tensor } {
  const g = new Generator(seed);
  const w = Tensor.randn([64, 64], { generator: g });
  const x = Tensor.randn([3, 64], { generator: g });
  const acc = new HessianAccumulator(64);
  acc.add(x);
  const q = gptqQuantize(w, acc.hessian(), { bits, groupSize, actOrder: true });
  return { layer: new QuantLinear(packGptq(q), Tensor.randn([64], { generator: g })), x };
}

describe("QuantLinear on the emulated CUDA device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  for (const [bits, groupSize] of [
    [2, 32],
    [3, 16],
    [4, 32],
    [8, -1],
  ] as const) {
    it(`${bits}-bit, group ${groupSize}: the device kernel dequantizes as the host does`, async () => {
      const { layer, x } = layerFor(bits, groupSize, 7 + bits);
      const want = layer.call(x).dataSync() as Float32Array;
      const wantW = layer.dequantizedWeight().dataSync() as Float32Array;
      layer.releaseCache();
      layer.to("cuda");
      expect(layer.qweight.device).toBe("cuda");
      const y = layer.call(x.to("cuda"));
      expect(y.device).toBe("cuda");
      const got = (await y.data()) as Float32Array;
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
      expect(Array.from((await layer.dequantizedWeight().data()) as Float32Array)).toEqual(Array.from(wantW));
    });
  }

  it("moving between devices drops the cached float weight: no stale cache, no device memory left", async () => {
    const { layer } = layerFor(4, 32, 21);
    // More rows than decoding's fused path takes, so the float weight is formed and cached.
    const x = Tensor.randn([12, 64], { generator: new Generator(22) });
    const want = Array.from(layer.call(x).dataSync() as Float32Array);
    const before = cuda.memoryStats().allocatedBytes;
    // The CPU cache must not follow the layer to the device (a host tensor in a device matmul).
    layer.to("cuda");
    const onDevice = x.to("cuda");
    const y = tidy(() => layer.call(onDevice));
    Array.from((await y.data()) as Float32Array).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 4);
    });
    y.dispose();
    onDevice.dispose();
    // Back on the CPU: the device cache is freed with the move, and the host path serves again.
    await layer.toAsync("cpu");
    expect(cuda.memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
    Array.from(layer.call(x).dataSync() as Float32Array).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 4);
    });
  });

  for (const bits of [2, 3, 4, 8] as const) {
    it(`${bits}-bit decoding (≤ 8 rows) multiplies from the packed codes, without a float weight`, async () => {
      // 608 inputs: three K chunks of the fused kernel, the last one partial; 224 outputs: a
      // partial block of output channels.
      const [inF, outF] = [608, 224];
      const g = new Generator(40 + bits);
      const w = Tensor.randn([outF, inF], { generator: g });
      const acc = new HessianAccumulator(inF);
      acc.add(Tensor.randn([700, inF], { generator: g }));
      const q = gptqQuantize(w, acc.hessian(), { bits, groupSize: 64, actOrder: true });
      const layer = new QuantLinear(packGptq(q), Tensor.randn([outF], { generator: g }));
      const x = Tensor.randn([2, 4, inF], { generator: g });
      const want = layer.call(x).dataSync() as Float32Array;
      const nine = Tensor.randn([9, inF], { generator: g });
      const wantNine = layer.call(nine).dataSync() as Float32Array;
      layer.releaseCache();
      layer.to("cuda");
      const before = cuda.memoryStats().allocatedBytes;
      const y = layer.call(x.to("cuda"));
      expect(y.shape).toEqual([2, 4, outF]);
      // The output and x's copy on the device, but nothing of the [out, in] float32 weight.
      expect(cuda.memoryStats().allocatedBytes - before).toBeLessThan(inF * outF * 4);
      const got = (await y.data()) as Float32Array;
      let maxErr = 0;
      for (let i = 0; i < want.length; i++)
        maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
      expect(maxErr).toBeLessThan(1e-4);
      // One row more than the fused kernel takes: the cached float weight and the GEMM.
      const gotNine = (await layer.call(nine.to("cuda")).data()) as Float32Array;
      for (let i = 0; i < wantNine.length; i++) expect(gotNine[i]).toBeCloseTo(wantNine[i], 3);
      expect(cuda.memoryStats().allocatedBytes).toBeGreaterThanOrEqual(inF * outF * 4);
    });
  }

  it("an input that needs a gradient takes the float weight, and the gradient flows", async () => {
    const { layer, x } = layerFor(4, 32, 5);
    const xh = x.detach().requiresGrad_();
    layer.call(xh).sum().backward();
    const want = xh.grad!.dataSync() as Float32Array;
    layer.releaseCache();
    layer.to("cuda");
    const xd = x.to("cuda").requiresGrad_();
    layer.call(xd).sum().backward();
    const got = (await xd.grad!.data()) as Float32Array;
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
  });

  for (const [rows, op] of [
    [3, "gptq_matmul"],
    [9, "dequant_gptq"],
  ] as const) {
    it(`an out-of-range g_idx is reported when the result is read (${rows} rows: ${op})`, async () => {
      const { layer } = layerFor(4, 32, 3);
      layer.to("cuda");
      layer.g_idx.assign(Tensor.full([64], 9, { dtype: "int32" }));
      layer.releaseCache();
      const x = Tensor.randn([rows, 64]).to("cuda");
      await expect(layer.call(x).data()).rejects.toThrow(
        new RegExp(`${op}: index 9 is out of range for a dimension of size 2`),
      );
    });
  }
});
