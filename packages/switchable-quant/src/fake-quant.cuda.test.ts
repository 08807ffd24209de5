import { Generator, Tensor as T, type Tensor } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import type { QuantSpec } from "./bits.js";
import { fakeQuantize, fakeQuantizeWithGrid, lsqGradScale } from "./fake-quant.js";
import { minMaxGrid } from "./grid.js";

/*
 * Fake quantization with the weight on tensor-cuda's emulated CUDA device (quant.cu compiled for
 * the CPU where g++ exists, else its JavaScript model): the grid, the forward, the STE gradient
 * and LSQ's step gradient must equal the host path's bit for bit.
 */

async function host(t: Tensor | null): Promise<number[]> {
  if (!t) return [];
  return Array.from((await t.data()) as Float32Array);
}

describe("fake quantization on the emulated CUDA device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  const specs: QuantSpec[] = [
    { bits: 2, groupSize: 32, sym: false },
    { bits: 3, groupSize: 32, sym: true },
    { bits: 4, groupSize: -1, sym: false },
    { bits: 8, groupSize: 16, sym: true },
  ];
  for (const spec of specs) {
    const name = `${spec.bits}-bit, group ${spec.groupSize}, ${spec.sym ? "sym" : "asym"}`;

    it(`${name}: min-max grid, forward and STE gradient match the host`, async () => {
      const g = new Generator(spec.bits);
      // 80 input columns: groups of 32 leave a shorter last group.
      const w = T.randn([12, 80], { generator: g });
      const up = T.randn([12, 80], { generator: g });
      const wc = w.detach().requiresGrad_();
      const yc = fakeQuantize(wc, spec);
      yc.backward(up);
      const wd = w.to("cuda").requiresGrad_();
      const yd = fakeQuantize(wd, spec);
      expect(yd.device).toBe("cuda");
      yd.backward(up.to("cuda"));
      expect(await host(yd)).toEqual(await host(yc));
      expect(await host(wd.grad)).toEqual(await host(wc.grad));
    });

    it(`${name}: LSQ step gradient matches the host`, async () => {
      const g = new Generator(10 + spec.bits);
      const w = T.randn([8, 80], { generator: g });
      const up = T.randn([8, 80], { generator: g });
      const grid = minMaxGrid(w.dataSync() as Float32Array, 8, 80, spec);
      // Perturbed steps so that some weights fall outside the clip range.
      const steps = grid.scale.map((s, i) => s * (0.7 + 0.05 * (i % 7)));
      const gs = lsqGradScale(80, spec.bits, spec.sym);
      const sc = T.from(steps, [grid.groups, 8]).requiresGrad_();
      const wc = w.detach().requiresGrad_();
      fakeQuantizeWithGrid(wc, sc, grid.zero, spec, { gradScale: gs }).backward(up);
      const sd = T.from(steps, [grid.groups, 8]).to("cuda").requiresGrad_();
      const wd = w.to("cuda").requiresGrad_();
      const yd = fakeQuantizeWithGrid(wd, sd, grid.zero, spec, { gradScale: gs });
      expect(yd.device).toBe("cuda");
      yd.backward(up.to("cuda"));
      expect(await host(sd.grad)).toEqual(await host(sc.grad));
      expect(await host(wd.grad)).toEqual(await host(wc.grad));
    });
  }
});
