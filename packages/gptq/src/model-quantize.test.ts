import { createModel } from "@shrinkray/models";
import { nn } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { type LayerProgress, quantizeModel } from "./model-quantize.js";
import { QuantLinear } from "./quant-linear.js";
import {
  haveModelFixtures,
  loadTiny,
  logitsOf,
  MODELS_SKIP,
  meanNll,
  randomBatches,
  TINY_MODELS,
} from "./test-models.js";

if (!haveModelFixtures) console.warn(MODELS_SKIP);

describe.skipIf(!haveModelFixtures)("quantizeModel on the tiny fixtures", () => {
  for (const name of TINY_MODELS) {
    it(`${name}: GPTQ beats RTN on every layer's output error, 4 and 3 bits`, async () => {
      for (const bits of [4, 3] as const) {
        const model = await loadTiny(name);
        const vocab = model.vocabSize;
        const calib = randomBatches(vocab, 4, 2, 32, 1);
        const progress: LayerProgress[] = [];
        const r = quantizeModel(
          model,
          calib,
          { bits, groupSize: 32, sym: true },
          { compareRtn: true, onProgress: (p) => progress.push(p) },
        );
        expect(r.layers.length).toBe(progress.length);
        for (const l of r.layers) {
          console.log(name, bits, l.name, l.error?.toExponential(3), l.rtnError?.toExponential(3));
          expect(l.error!).toBeLessThan(l.rtnError!);
        }
        expect(model.decoderView().blocks.flatMap((b) => b.modules()).some((m) => m instanceof nn.Linear)).toBe(false);
        expect(model.decoderView().blocks[0].modules().some((m) => m instanceof QuantLinear)).toBe(true);
        const test = randomBatches(vocab, 2, 2, 32, 2);
        console.log(name, bits, meanNll(model, test));
        void logitsOf;
      }
    });
  }
});

void createModel;
