import { createModel } from "@shrinkray/models";
import { nn } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { int8QuantizeModel, rtnQuantizeModel } from "./baseline-quantize.js";
import { int8Quantize } from "./int8.js";
import { QuantLinear } from "./quant-linear.js";
import { rtnQuantize } from "./rtn.js";
import { SMALL_CONFIGS } from "./test-models.js";

const weightOf = (m: nn.Module<any[], any>, path: string) => m.get<nn.Linear>(path).weight.dataSync().slice();

describe("round-to-nearest and int8 through the same module walk", () => {
  it("rtnQuantizeModel: every block Linear, on the dynamic-resolved grid", () => {
    const model = createModel(SMALL_CONFIGS.llama, { init: "random" });
    const path = "model.layers.0.mlp.down_proj";
    const w = model.get<nn.Linear>(path).weight.clone();
    const r = rtnQuantizeModel(model, {
      bits: 4,
      groupSize: 32,
      dynamic: { "-:.*o_proj": {}, ".*down_proj": { bits: 8 } },
    });
    expect(r.layers).toHaveLength(6);
    expect(r.skipped).toEqual([{ name: "model.layers.0.self_attn.o_proj", reason: "dynamic" }]);
    const layer = model.get<QuantLinear>(path);
    expect(layer).toBeInstanceOf(QuantLinear);
    expect(layer.bits).toBe(8);
    const ref = rtnQuantize(w, { bits: 8, groupSize: 32, sym: true }).dequantized.dataSync() as Float32Array;
    const got = layer.dequantizedWeight().dataSync() as Float32Array;
    for (let i = 0; i < ref.length; i++)
      expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(1e-3 * Math.abs(ref[i]));
    expect(model.get("model.layers.0.self_attn.o_proj")).toBeInstanceOf(nn.Linear);
  });

  it("rtnQuantizeModel in fake mode writes the dequantized weights", () => {
    const model = createModel(SMALL_CONFIGS.gpt2, { init: "random" });
    const path = "transformer.h.0.mlp.c_fc";
    const w = model.get<nn.Linear>(path).weight.clone();
    rtnQuantizeModel(model, { bits: 3, groupSize: -1, sym: false }, { mode: "fake" });
    expect(weightOf(model, path)).toEqual(rtnQuantize(w, { bits: 3, sym: false }).dequantized.dataSync());
  });

  it("int8QuantizeModel: absmax per channel on every block Linear but the skipped", () => {
    const model = createModel(SMALL_CONFIGS.opt, { init: "random" });
    const path = "model.decoder.layers.0.fc2";
    const w = model.get<nn.Linear>(path).weight.clone();
    const before = weightOf(model, "model.decoder.layers.0.fc1");
    const progress: number[] = [];
    const r = int8QuantizeModel(model, {
      skip: [/.*fc1$/],
      mode: "fake",
      onProgress: (p) => progress.push(p.done),
    });
    expect(r.layers.map((l) => l.name.split(".").pop())).toEqual([
      "k_proj",
      "v_proj",
      "q_proj",
      "out_proj",
      "fc2",
    ]); // registration order
    expect(r.skipped.map((s) => s.name)).toEqual(["model.decoder.layers.0.fc1"]);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(weightOf(model, path)).toEqual(int8Quantize(w).dequantized.dataSync());
    expect(weightOf(model, "model.decoder.layers.0.fc1")).toEqual(before);
  });
});
