import { describe, expect, it } from "vitest";
import {
  assignmentMemory,
  assignmentToConfig,
  BitConfigError,
  configMemory,
  type LayerShape,
  resolveConfig,
} from "./config.js";

const layers: LayerShape[] = [
  { name: "model.layers.0.self_attn.q_proj", outFeatures: 64, inFeatures: 64 },
  { name: "model.layers.0.mlp.down_proj", outFeatures: 64, inFeatures: 128 },
  { name: "model.layers.1.self_attn.q_proj", outFeatures: 64, inFeatures: 64 },
  { name: "lm_head", outFeatures: 100, inFeatures: 64 },
];
const names = layers.map((l) => l.name);

describe("bit-width configurations (GPTQModel dynamic form)", () => {
  it("applies +: overrides, -: skips, and the default, first match winning", () => {
    const a = resolveConfig(
      {
        bits: 4,
        groupSize: 32,
        dynamic: {
          "-:lm_head": {},
          "+:.*\\.1\\..*": { bits: 8, group_size: 64 },
          ".*down_proj": { bits: 2 },
          "+:.*": { bits: 3 },
        },
      },
      names,
    );
    expect(a.get("lm_head")).toBeNull();
    expect(a.get("model.layers.1.self_attn.q_proj")).toEqual({ bits: 8, groupSize: 64, sym: false });
    expect(a.get("model.layers.0.mlp.down_proj")).toEqual({ bits: 2, groupSize: 32, sym: false });
    expect(a.get("model.layers.0.self_attn.q_proj")).toEqual({ bits: 3, groupSize: 32, sym: false });
  });

  it("matches from the start of the name, as Python's re.match", () => {
    const a = resolveConfig({ bits: 4, dynamic: { "-:head": {} } }, ["head", "lm_head"]);
    expect(a.get("head")).toBeNull();
    expect(a.get("lm_head")).not.toBeNull();
  });

  it("rejects bad patterns and widths with errors that name the key", () => {
    expect(() => resolveConfig({ bits: 4, dynamic: { "+:(": {} } }, names)).toThrow(BitConfigError);
    expect(() => resolveConfig({ bits: 4, dynamic: { "+:x": { bits: 9 as never } } }, names)).toThrow(
      /dynamic\["\+:x"\]\.bits/,
    );
  });

  it("counts memory with fp16 scales and zeros per group", () => {
    const m = configMemory(layers, { bits: 4, groupSize: 32, dynamic: { "-:lm_head": {} } });
    // 4-bit layers: codes + (in/32 groups × out) × 32 bits of scale and zero.
    const q = (o: number, i: number) => o * i * 4 + (i / 32) * o * 32;
    const bits = q(64, 64) + q(64, 128) + q(64, 64) + 100 * 64 * 16;
    expect(m.bytes).toBe(bits / 8);
    expect(m.weights).toBe(64 * 64 * 2 + 64 * 128 + 6400);
    expect(m.avgBits).toBeCloseTo(bits / m.weights, 12);
    // Per channel: one group per row.
    const pc = configMemory(layers.slice(0, 1), { bits: 8 });
    expect(pc.avgBits).toBeCloseTo(8 + 32 / 64, 12);
    // 16 and 32 mean unquantized at that width.
    expect(configMemory(layers.slice(0, 1), { bits: 32 }).avgBits).toBe(32);
  });

  it("round-trips an assignment through exact-name patterns", () => {
    const a = resolveConfig(
      { bits: 4, groupSize: 32, dynamic: { "-:lm_head": {}, ".*down_proj": { bits: 2 } } },
      names,
    );
    const c = assignmentToConfig(a);
    expect(c.bits).toBe(4);
    expect(resolveConfig(c, names)).toEqual(a);
    expect(assignmentMemory(layers, resolveConfig(c, names)).bytes).toBe(assignmentMemory(layers, a).bytes);
  });
});
