import { test } from "vitest";
import { HessianAccumulator } from "./hessian.js";
import { gptqQuantize } from "./gptq.js";
import { rtnQuantize } from "./rtn.js";
import { agreement, fixtureIndex, outputError, readSafetensors } from "./test-fixtures.js";
test("scratch", () => {
  const inp = readSafetensors("inputs.safetensors");
  const w = inp.get("weight")!, cal = inp.get("calibration")!;
  const acc = new HessianAccumulator(320);
  for (let s = 0; s < 4; s++) acc.add(cal.slice(0, s, s + 1));
  const H = acc.hessian();
  for (const cfg of fixtureIndex()) {
    const ref = readSafetensors(`${cfg.name}.safetensors`);
    const hr = ref.get("hessian")!;
    const hd = agreement(H, hr); const hmax = Math.max(...(hr.dataSync() as Float32Array).map(Math.abs));
    const t0 = performance.now();
    const r = gptqQuantize(w, hr, { bits: cfg.bits, groupSize: cfg.groupsize, actOrder: cfg.actorder, sym: cfg.sym, staticGroups: cfg.static_groups });
    const t1 = performance.now();
    const a = agreement(r.dequantized, ref.get("dequantized")!);
    const rt = agreement(rtnQuantize(w, { bits: cfg.bits, groupSize: cfg.groupsize, sym: cfg.sym }).dequantized, ref.get("rtn")!);
    const e = outputError(cal, w, r.dequantized);
    console.log(cfg.name, "H", hd.maxDiff / hmax, hd.nDiff, "Q", a, "rtn", rt, "err", e, cfg.output_error_gptq, (e / cfg.output_error_gptq - 1).toExponential(2), (t1 - t0).toFixed(0) + "ms");
  }
});
