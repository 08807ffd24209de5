import { slice, type Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { gptqQuantize } from "./gptq.js";
import { HessianAccumulator } from "./hessian.js";
import { rtnQuantize } from "./rtn.js";
import {
  stepAgreement as compare,
  fixtureIndex,
  haveFixtures,
  outputError,
  readSafetensors,
  SKIP_MESSAGE,
} from "./test-fixtures.js";

if (!haveFixtures) console.warn(SKIP_MESSAGE);

describe.skipIf(!haveFixtures)("GPTQ against the IST-DASLab reference fixtures", () => {
  const configs = haveFixtures ? fixtureIndex() : [];
  const inputs = haveFixtures ? readSafetensors("inputs.safetensors") : new Map<string, Tensor>();
  const weight = inputs.get("weight")!;
  const calibration = inputs.get("calibration")!;

  it("accumulates the reference Hessian (one sequence per add_batch)", () => {
    const acc = new HessianAccumulator(weight.shape[1]);
    for (let s = 0; s < calibration.shape[0]; s++) acc.add(slice(calibration, 0, s, s + 1));
    expect(acc.nsamples).toBe(4);
    const ours = acc.hessian().dataSync() as Float32Array;
    for (const cfg of configs) {
      const ref = readSafetensors(`${cfg.name}.safetensors`).get("hessian")!.dataSync() as Float32Array;
      let maxRef = 0;
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) {
        maxRef = Math.max(maxRef, Math.abs(ref[i]));
        maxDiff = Math.max(maxDiff, Math.abs(ours[i] - ref[i]));
      }
      // Bit-identical here (same OpenBLAS as the reference); 1e-6 of the largest entry is the bar.
      expect(maxDiff / maxRef, cfg.name).toBeLessThanOrEqual(1e-6);
    }
  });

  for (const cfg of configs) {
    it(`${cfg.name}: dequantized weight, RTN and output error match`, () => {
      const ref = readSafetensors(`${cfg.name}.safetensors`);
      const opts = { bits: cfg.bits, groupSize: cfg.groupsize, sym: cfg.sym };
      const q = gptqQuantize(weight, ref.get("hessian")!, {
        ...opts,
        actOrder: cfg.actorder,
        staticGroups: cfg.static_groups,
        blockSize: cfg.blocksize,
        percDamp: cfg.percdamp,
      });
      const agree = compare(q, ref.get("dequantized")!);
      const rtn = compare(rtnQuantize(weight, opts), ref.get("rtn")!);
      const err = outputError(calibration, weight, q.dequantized);
      const rel = err / cfg.output_error_gptq - 1;
      console.log(
        `${cfg.name}: max |Δ| ${agree.maxDiff.toExponential(2)} (${agree.maxRelToStep.toExponential(1)} step), ` +
          `${agree.stepOff} of ${q.dequantized.size} off by a step, output error ${err.toFixed(4)} vs ${cfg.output_error_gptq.toFixed(4)} ` +
          `(${(rel * 100).toExponential(2)}%); RTN ${rtn.stepOff} off`,
      );
      expect(agree.maxSteps).toBeLessThanOrEqual(1);
      expect(agree.stepOff).toBeLessThanOrEqual(Math.ceil(q.dequantized.size * 0.001));
      expect(agree.maxRelToStep).toBeLessThan(1e-5);
      expect(Math.abs(rel)).toBeLessThan(0.01);
      expect(rtn.stepOff).toBe(0);
      expect(rtn.maxDiff).toBe(0);
      expect(err).toBeLessThan(cfg.output_error_rtn);
    });
  }
});
