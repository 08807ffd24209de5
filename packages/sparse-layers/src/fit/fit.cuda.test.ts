import { cuda, slice, type Tensor } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { sparsify } from "../replace/sparsify.js";
import { correlatedInputs, TinyStack } from "../test-utils.js";
import { type FitOptions, fitLayerwise, fitLayerwiseAsync } from "./fit.js";

/*
 * Layer-wise fitting with the model on tensor-cuda's emulated CUDA device (the CUDA C compiled
 * for the CPU where g++ exists): capture, training, optimizer state and the error sums stay on
 * the device, the result follows the CPU fit, and nothing is left allocated afterwards.
 */

const D = 32;
const H = 64;
const rules = [{ pattern: /(up|down)_proj$/, groups: 4, rank: 4 }];

function setup() {
  const calib = correlatedInputs(192, D, 7);
  const batches = [0, 1].map((i) => slice(calib, 0, i * 96, (i + 1) * 96));
  const model = new TinyStack(D, H, 2, 1);
  const { replaced } = sparsify(model, { rules, init: "svd" });
  return { model, replaced, batches };
}

describe("fitLayerwiseAsync on the emulated CUDA device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  for (const inputsFrom of ["dense", "sparse"] as const) {
    it(`inputs from the ${inputsFrom} model: the CPU fit's errors and losses, nothing left allocated`, async () => {
      const opts = (losses: number[]): FitOptions => ({
        epochs: 4,
        batchSize: 64,
        lr: 3e-3,
        inputsFrom,
        onProgress: (p) => losses.push(p.loss),
      });
      const host = setup();
      const hostLosses: number[] = [];
      const want = fitLayerwise(host.model, host.replaced, { batches: host.batches }, opts(hostLosses));

      const dev = setup();
      const before = cuda.memoryStats().allocatedBytes;
      dev.model.to("cuda");
      const batches = dev.batches.map((b) => b.to("cuda"));
      const devLosses: number[] = [];
      const got = await fitLayerwiseAsync(dev.model, dev.replaced, { batches }, opts(devLosses));

      expect(got.map((r) => r.name)).toEqual(want.map((r) => r.name));
      // The same walk, shuffles and schedule; the runs differ only by float32 rounding. The SVD
      // start is a stationary point for LoRA's A (its first gradient is ~1e-7, pure rounding),
      // and AdamW's first step turns that noise into ±lr, so the fits agree to a few 1e-3 (up
      // to 4e-3 in a loss here), not 1e-6, as PyTorch's CPU and CUDA runs would.
      const near = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
      // Sequential mode feeds each fit's rounding into the next layer's inputs.
      const tol = inputsFrom === "dense" ? 1e-2 : 3e-2;
      for (const [i, r] of got.entries()) {
        const w = want[i];
        expect(r.rows).toBe(w.rows);
        // From the dense model a layer's inputs do not depend on the fits before it.
        const start = inputsFrom === "dense" || i === 0 ? 1e-5 : tol;
        expect(near(r.relErrorBefore, w.relErrorBefore), r.name).toBeLessThan(start);
        expect(near(r.relErrorAfter, w.relErrorAfter), r.name).toBeLessThan(tol);
        expect(r.mseAfter).toBeLessThan(r.mseBefore);
      }
      expect(devLosses).toHaveLength(hostLosses.length);
      for (const [i, l] of devLosses.entries()) expect(near(l, hostLosses[i])).toBeLessThan(tol);

      // The model holds the fitted sparse layers on the device; the dense ones went back home.
      for (const p of dev.model.parameters()) expect(p.device).toBe("cuda");
      for (const r of dev.replaced) expect(r.dense.weight.device).toBe("cpu");

      // Captured activations, optimizer moments and loss sums are all released.
      for (const t of batches as Tensor[]) t.dispose();
      await dev.model.toAsync("cpu");
      expect(cuda.memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
    });
  }

  for (const [what, failAt] of [
    ["calibration left on the CPU (the first capture mixes devices)", "capture"],
    ["a layer that fails in its second training step", "training"],
    ["a progress callback that throws", "progress"],
  ] as const) {
    it(`an error inside the fit (${what}) frees what it made and sends the dense layers home`, async () => {
      const dev = setup();
      const before = cuda.memoryStats().allocatedBytes;
      dev.model.to("cuda");
      const batches = failAt === "capture" ? dev.batches : dev.batches.map((b) => b.to("cuda"));
      let calls = 0;
      const remove = dev.replaced[1].sparse.registerForwardHook(() => {
        // Call 1 is the error before fitting; 2 and 3 are training steps.
        if (failAt === "training" && ++calls === 3) throw new Error("step failed");
      });
      const onProgress = () => {
        if (failAt === "progress") throw new Error("progress failed");
      };
      await expect(
        fitLayerwiseAsync(dev.model, dev.replaced, { batches }, { epochs: 2, batchSize: 64, onProgress }),
      ).rejects.toThrow();
      remove();
      for (const r of dev.replaced) expect(r.dense.weight.device).toBe("cpu");
      if (failAt !== "capture") for (const b of batches) b.dispose();
      await dev.model.toAsync("cpu");
      expect(cuda.memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
    });
  }
});
