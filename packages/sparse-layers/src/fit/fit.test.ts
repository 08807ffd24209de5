import { noGrad, slice, square, sub, sum, type Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { sparsify } from "../replace/sparsify.js";
import { correlatedInputs, TinyStack } from "../test-utils.js";
import { fitLayerwise } from "./fit.js";
import { collectGrams, linearNames } from "./grams.js";

const D = 32;
const H = 64;
const calib = correlatedInputs(384, D, 7);
const batches = [0, 1, 2].map((i) => slice(calib, 0, i * 128, (i + 1) * 128));
const calibration = { batches };
const rules = [{ pattern: /(up|down)_proj$/, groups: 4, rank: 4 }];

function relError(model: TinyStack, reference: Tensor): number {
  return noGrad(() => {
    const y = model.call(calib);
    return Math.sqrt(sum(square(sub(y, reference))).item() / sum(square(reference)).item());
  });
}

function fresh() {
  const model = new TinyStack(D, H, 2, 1);
  const reference = noGrad(() => model.call(calib));
  return { model, reference };
}

describe("initialisation and layer-wise fitting (the bars)", () => {
  const blocksOnly = (() => {
    const { model, reference } = fresh();
    sparsify(model, { rules, init: "blocks" });
    return relError(model, reference);
  })();

  it("SVD initialisation beats block-diagonal alone, and layer-wise fitting beats SVD initialisation", () => {
    const { model, reference } = fresh();
    const { replaced } = sparsify(model, { rules, init: "svd" });
    const svdInit = relError(model, reference);
    const progress: number[] = [];
    const results = fitLayerwise(model, replaced, calibration, {
      epochs: 30,
      batchSize: 64,
      lr: 3e-3,
      onProgress: (p) => progress.push(p.loss),
    });
    const fitted = relError(model, reference);
    console.log(
      `relative output error: blocks only ${blocksOnly.toFixed(4)}, SVD init ${svdInit.toFixed(4)}, fitted ${fitted.toFixed(4)}`,
    );
    for (const r of results) {
      console.log(
        `  ${r.name}: rel error ${r.relErrorBefore.toFixed(4)} → ${r.relErrorAfter.toFixed(4)} (${r.rows} rows, ${r.seconds.toFixed(2)} s)`,
      );
    }
    expect(svdInit).toBeLessThan(blocksOnly);
    expect(fitted).toBeLessThan(svdInit);
    expect(results.map((r) => r.name)).toEqual([
      "blocks.0.up_proj",
      "blocks.0.down_proj",
      "blocks.1.up_proj",
      "blocks.1.down_proj",
    ]);
    for (const r of results) {
      expect(r.rows).toBe(384);
      expect(r.mseAfter).toBeLessThan(r.mseBefore);
    }
    expect(progress.length).toBe(4 * 30);
    // The model is left sparse.
    expect(model.get("blocks.0.up_proj").constructor.name).toBe("GroupedLoRALinear");
  });

  it("activation-aware initialisation (whitened SVD, least-squares blocks) beats plain SVD on the calibration data", () => {
    const plain = (() => {
      const { model, reference } = fresh();
      sparsify(model, { rules, init: "svd" });
      return relError(model, reference);
    })();
    const { model, reference } = fresh();
    const grams = collectGrams(model, linearNames(model, /(up|down)_proj$/), calibration);
    sparsify(model, {
      rules,
      init: "svd",
      gram: (n) => grams.get(n),
      initOptions: { blocks: "least-squares", refine: 2 },
    });
    const aware = relError(model, reference);
    console.log(
      `relative output error: plain SVD init ${plain.toFixed(4)}, activation-aware init ${aware.toFixed(4)}`,
    );
    expect(aware).toBeLessThan(plain);
  });

  it("sequential mode takes inputs from the partly sparse model", () => {
    const { model, reference } = fresh();
    const { replaced } = sparsify(model, { rules, init: "svd" });
    const before = relError(model, reference);
    const results = fitLayerwise(model, replaced, calibration, {
      epochs: 10,
      batchSize: 64,
      lr: 3e-3,
      inputsFrom: "sparse",
    });
    expect(results).toHaveLength(4);
    expect(relError(model, reference)).toBeLessThan(before);
  });
});
