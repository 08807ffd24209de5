import { describe, expect, it } from "vitest";
import { DynamicRules } from "./dynamic-config.js";
import { DEFAULT_GPTQ_CONFIG, QuantizeConfigError } from "./quant-config.js";

const base = DEFAULT_GPTQ_CONFIG;

describe("DynamicRules (GPTQModel's dynamic)", () => {
  const rules = new DynamicRules({
    "-:model\\.layers\\.0\\.": {},
    "+:.*\\.down_proj": { bits: 8, group_size: 64, desc_act: true },
    ".*gate_proj": { sym: false },
    ".*up_proj": { bits: 2 },
  });

  it("applies the first matching rule; -: skips", () => {
    expect(rules.resolve("model.layers.0.mlp.down_proj", base)).toBeNull();
    expect(rules.resolve("model.layers.1.mlp.down_proj", base)).toEqual({
      ...base,
      bits: 8,
      groupSize: 64,
      descAct: true,
    });
    expect(rules.resolve("model.layers.1.mlp.gate_proj", base)).toEqual({ ...base, sym: false });
    expect(rules.resolve("model.layers.1.mlp.up_proj", base)?.bits).toBe(2);
    expect(rules.resolve("model.layers.1.self_attn.q_proj", base)).toBe(base);
  });

  it("anchors at the start only, as Python's re.match", () => {
    const r = new DynamicRules({ "-:self_attn": {}, "-:.*o_proj": {} });
    expect(r.resolve("model.layers.1.self_attn.q_proj", base)).toBe(base);
    expect(r.resolve("self_attn.q_proj", base)).toBeNull();
    expect(r.resolve("model.layers.1.self_attn.o_proj_extra", base)).toBeNull();
  });

  it("null and {} mean no rules", () => {
    expect(new DynamicRules(null).size).toBe(0);
    expect(new DynamicRules({}).resolve("x", base)).toBe(base);
  });

  it("errors name the rule and the setting", () => {
    expect(() => new DynamicRules({ ".*": { bits: 5 } })).toThrow(
      /dynamic\[".\*"\]\.bits must be one of 2, 3, 4, 8/,
    );
    expect(() => new DynamicRules({ ".*": { group_size: 0 } })).toThrow(
      /group_size must be a positive integer or -1/,
    );
    expect(() => new DynamicRules({ ".*": { sym: "yes" } as never })).toThrow(/sym must be a boolean/);
    expect(() => new DynamicRules({ "+:(": {} })).toThrow(QuantizeConfigError);
    expect(() => new DynamicRules({ ".*": { adapter: {} } as never })).toThrow(/unknown setting "adapter"/);
    expect(
      new DynamicRules({ ".*": { adapter: {}, bits: 8 } as never }, { strict: false }).resolve("a", base)
        ?.bits,
    ).toBe(8);
    expect(() => new DynamicRules([] as never)).toThrow(/expected an object/);
  });
});
