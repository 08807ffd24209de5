import { existsSync } from "node:fs";
import { crossEntropy, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTokens } from "./generate.js";
import { loadPretrained } from "./load.js";
import { ModelTokenScorer } from "./scorer.js";

/*
 * The tiny checkpoints on tensor-cuda's emulated CUDA device: the real backend host code, with the
 * CUDA C kernels compiled for the CPU where g++ exists (else their JavaScript models). Forward,
 * greedy generation with the KV cache, and a training step must match the CPU run, so nothing on
 * the way reads the device synchronously or leaves a tensor on the host.
 */

const root = new URL("../../../../shared/fixtures/models/", import.meta.url).pathname;
const names = ["tiny-llama", "tiny-gpt2", "tiny-qwen2"];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe.skipIf(!existsSync(root))("models on the emulated CUDA device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  for (const name of names) {
    it(`${name}: logits, greedy generation and a training step match the CPU`, async () => {
      const cpuModel = await loadPretrained(`${root}${name}`);
      const gpuModel = (await loadPretrained(`${root}${name}`)).to("cuda");
      const ids = Tensor.from(Int32Array.from([1, 5, 17, 3, 9, 2]), [2, 3], { dtype: "int32" });

      const want = noGrad(() => cpuModel.forward(ids)).dataSync() as Float32Array;
      const got = (await noGrad(() => gpuModel.forward(ids.to("cuda"))).data()) as Float32Array;
      expect(maxDiff(got, want)).toBeLessThan(1e-4);

      const prompts = [
        [1, 5, 17],
        [4, 8],
      ];
      const a = await generateTokens(cpuModel, prompts, { maxNewTokens: 5 });
      const b = await generateTokens(gpuModel, prompts, { maxNewTokens: 5 });
      expect(b.tokens).toEqual(a.tokens);

      // Perplexity-style scoring (what eval-perplexity runs), windows with context-only prefixes.
      const windows = [{ ids: [1, 5, 17, 3, 9, 2] }, { ids: [4, 8, 15, 16, 23, 7], scoreFrom: 3 }];
      const sa = await new ModelTokenScorer(cpuModel, null, 2).nll(windows);
      const sb = await new ModelTokenScorer(gpuModel, null, 2).nll(windows);
      sb.forEach((s, i) => {
        expect(s.tokens).toBe(sa[i].tokens);
        expect(s.nll).toBeCloseTo(sa[i].nll, 4);
      });

      const targets = Tensor.from(Int32Array.from([5, 17, 3, 9, 2, 1]), [2, 3], { dtype: "int32" });
      const lossCpu = crossEntropy(cpuModel.forward(ids), targets);
      lossCpu.backward();
      const lossGpu = crossEntropy(gpuModel.forward(ids.to("cuda")), targets.to("cuda"));
      lossGpu.backward();
      expect(Math.abs(Number((await lossGpu.data())[0]) - lossCpu.item())).toBeLessThan(1e-5);
      const [pname, pc] = cpuModel.namedParameters()[0];
      const pg = gpuModel.getParameter(pname);
      expect(pg.device).toBe("cuda");
      expect(
        maxDiff(
          (await (pg.grad as Tensor).data()) as Float32Array,
          (pc.grad as Tensor).dataSync() as Float32Array,
        ),
      ).toBeLessThan(1e-4);
    }, 60_000);
  }
});
