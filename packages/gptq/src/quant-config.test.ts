import { describe, expect, it } from "vitest";
import { parseQuantizeConfig, QuantizeConfigError, toQuantizeConfigJson } from "./quant-config.js";

describe("quantize_config.json", () => {
  it("writes the fields AutoGPTQ, GPTQModel and transformers read", () => {
    expect(toQuantizeConfigJson({ bits: 3, groupSize: 64, descAct: true })).toEqual({
      bits: 3,
      group_size: 64,
      desc_act: true,
      sym: true,
      static_groups: false,
      damp_percent: 0.01,
      true_sequential: true,
      checkpoint_format: "gptq",
      quant_method: "gptq",
    });
  });

  it("parses its own output and a transformers quantization_config with extra fields", () => {
    const json = toQuantizeConfigJson({ bits: 2, groupSize: -1, sym: false, staticGroups: true });
    expect(parseQuantizeConfig(JSON.parse(JSON.stringify(json)))).toMatchObject({
      bits: 2,
      groupSize: -1,
      sym: false,
      staticGroups: true,
    });
    const hf = {
      bits: 4,
      group_size: 128,
      desc_act: false,
      quant_method: "gptq",
      model_name_or_path: null,
      use_exllama: true,
    };
    expect(parseQuantizeConfig(hf, "config.json quantization_config")).toMatchObject({
      bits: 4,
      groupSize: 128,
      sym: true,
      checkpointFormat: "gptq",
    });
  });

  it("names the bad field and the file", () => {
    expect(() => parseQuantizeConfig({ bits: 5 }, "q.json")).toThrow(
      "q.json: bits must be one of 2, 3, 4, 8, got 5",
    );
    expect(() => parseQuantizeConfig({ bits: 4, group_size: "128" })).toThrow(/group_size must be a number/);
    expect(() => parseQuantizeConfig({ quant_method: "awq" })).toThrow(QuantizeConfigError);
    expect(() => parseQuantizeConfig({ checkpoint_format: "marlin" })).toThrow(/checkpoint_format "marlin"/);
    expect(() => parseQuantizeConfig([])).toThrow(/expected a JSON object/);
  });
});
