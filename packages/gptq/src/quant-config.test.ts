import { describe, expect, it } from "vitest";
import {
  parseQuantizeConfig,
  parseQuantizeConfigFull,
  QUANTIZER_TAG,
  QuantizeConfigError,
  toQuantizeConfigJson,
} from "./quant-config.js";

describe("quantize_config.json", () => {
  it("writes the fields GPTQModel writes (settings that do not take part in inference in meta)", () => {
    expect(toQuantizeConfigJson({ bits: 3, groupSize: 64, descAct: true })).toEqual({
      bits: 3,
      group_size: 64,
      desc_act: true,
      sym: true,
      lm_head: false,
      method: "gptq",
      quant_method: "gptq",
      format: "gptq",
      checkpoint_format: "gptq",
      pack_dtype: "int32",
      meta: {
        quantizer: [QUANTIZER_TAG],
        damp_percent: 0.01,
        damp_auto_increment: 0,
        static_groups: false,
        true_sequential: true,
        mse: 0,
        act_group_aware: false,
      },
    });
    expect(QUANTIZER_TAG).toMatch(/^shrinkray-gptq:\d+\.\d+\.\d+/);
    // Asymmetric grids default to v2; dynamic overrides are written when there are some.
    expect(toQuantizeConfigJson({ sym: false }, { dynamic: { "-:lm_head": {} } })).toMatchObject({
      format: "gptq_v2",
      checkpoint_format: "gptq_v2",
      dynamic: { "-:lm_head": {} },
    });
  });

  it("refuses what another loader would reject or misread", () => {
    expect(() => toQuantizeConfigJson({ dampPercent: 0 })).toThrow(
      /damp_percent must be strictly between 0 and 1/,
    );
    expect(() => toQuantizeConfigJson({ sym: false, checkpointFormat: "gptq" })).toThrow(/gptq_v2" only/);
  });

  it("reads GPTQModel's format / checkpoint_format, meta, lm_head and pack_dtype", () => {
    const gptqmodel = {
      bits: 4,
      group_size: 128,
      desc_act: true,
      sym: false,
      lm_head: true,
      quant_method: "gptq",
      format: "gptq_v2",
      pack_dtype: "int32",
      meta: {
        quantizer: ["gptqmodel:4.2.5"],
        damp_percent: 0.05,
        true_sequential: false,
        static_groups: true,
      },
    };
    expect(parseQuantizeConfigFull(gptqmodel)).toEqual({
      config: {
        bits: 4,
        groupSize: 128,
        descAct: true,
        sym: false,
        staticGroups: true,
        dampPercent: 0.05,
        trueSequential: false,
        checkpointFormat: "gptq_v2",
        lmHead: true,
      },
      provenance: { quantizers: [["gptqmodel", "4.2.5"]], packDtype: "int32" },
    });
    expect(() => parseQuantizeConfig({ ...gptqmodel, checkpoint_format: "gptq" })).toThrow(
      /checkpoint_format "gptq" and format "gptq_v2" disagree/,
    );
    expect(() => parseQuantizeConfig({ ...gptqmodel, pack_dtype: "int16" })).toThrow(
      /pack_dtype "int16" is not supported/,
    );
    expect(() => parseQuantizeConfig({ ...gptqmodel, format: "marlin" })).toThrow(/format "marlin"/);
    expect(() => parseQuantizeConfig({ bits: 4, is_marlin_format: true })).toThrow(/is_marlin_format/);
    // A file's damp_percent does not change how it is read: 0 (AutoGPTQ's old default) loads.
    expect(parseQuantizeConfig({ bits: 4, damp_percent: 0 }).dampPercent).toBe(0);
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
