import { cuda, type nn, type Tensor } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { quantizeModel, quantizeModelAsync } from "./model-quantize.js";
import { QuantLinear } from "./quant-linear.js";
import { haveModelFixtures, loadTiny, MODELS_SKIP, randomBatches } from "./test-models.js";

/*
 * The whole-model GPTQ walk with the model on tensor-cuda's emulated CUDA device (the CUDA C
 * compiled for the CPU where g++ exists): calibration passes, Hessians and GPTQ stay on the
 * device, and the result matches quantizeModel on the CPU layer for layer.
 */

if (!haveModelFixtures) console.warn(MODELS_SKIP);

function quantLinears(model: nn.AnyModule): Map<string, QuantLinear> {
  return new Map(
    [...model.namedModules()].filter(([, m]) => m instanceof QuantLinear) as [string, QuantLinear][],
  );
}

async function onHost(t: Tensor): Promise<Int32Array | Float32Array> {
  return (await t.data()) as Int32Array | Float32Array;
}

describe.skipIf(!haveModelFixtures)("quantizeModelAsync on the emulated CUDA device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  for (const [mode, descAct] of [
    ["packed", true],
    ["fake", false],
  ] as const) {
    it(`tiny-llama, 4-bit g32, ${mode}${descAct ? ", act-order" : ""}: the CPU walk's result`, async () => {
      const config = { bits: 4 as const, groupSize: 32, descAct };
      const batches = randomBatches(101, 3, 2, 24, 5);
      const host = await loadTiny("tiny-llama");
      const want = quantizeModel(host, batches, config, { mode, compareRtn: true });

      const model = await loadTiny("tiny-llama");
      model.to("cuda");
      const onDevice = batches.map((b) => b.to("cuda"));
      const before = cuda.memoryStats().allocatedBytes;
      const got = await quantizeModelAsync(model, onDevice, config, { mode, compareRtn: true });
      // Activations, Hessians and GPTQ's work buffers are all released: the model only shrinks.
      expect(cuda.memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
      expect(got.layers.map((l) => l.name)).toEqual(want.layers.map((l) => l.name));
      for (const [i, l] of got.layers.entries()) {
        const w = want.layers[i];
        expect(Math.abs(l.loss! - w.loss!) / w.loss!, l.name).toBeLessThan(1e-3);
        expect(Math.abs(l.error! - w.error!) / w.error!, l.name).toBeLessThan(1e-3);
        expect(Math.abs(l.rtnError! - w.rtnError!) / w.rtnError!, l.name).toBeLessThan(1e-3);
      }
      if (mode === "packed") {
        const hostLayers = quantLinears(host);
        const devLayers = quantLinears(model);
        expect([...devLayers.keys()]).toEqual([...hostLayers.keys()]);
        let same = 0;
        let total = 0;
        for (const [name, layer] of devLayers) {
          expect(layer.qweight.device).toBe("cuda");
          const a = await onHost(layer.qweight);
          const b = hostLayers.get(name)!.qweight.dataSync() as Int32Array;
          for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
          total += a.length;
        }
        // Packed words of 8 codes: a word differs if any of its codes does.
        expect(same / total).toBeGreaterThan(0.98);
      } else {
        for (const [name, p] of model.namedParameters()) {
          if (!name.endsWith("proj.weight")) continue;
          const a = (await onHost(p)) as Float32Array;
          const b = host
            .namedParameters()
            .find(([n]) => n === name)![1]
            .dataSync() as Float32Array;
          // Dynamic groups' scales may differ in their last bits (the block GEMM's sum order),
          // so values are compared to a relative 1e-5; a code that flipped shows as a miss.
          let close = 0;
          for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) <= 1e-5 * Math.abs(b[i])) close++;
          expect(close / a.length, name).toBeGreaterThan(0.99);
        }
      }
      for (const b of [...batches, ...onDevice]) b.dispose();
    }, 600_000);
  }
});
