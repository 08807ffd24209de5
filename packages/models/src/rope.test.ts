import { describe, expect, it } from "vitest";
import { ConfigReader } from "./config.js";
import { ropeSpec, rotaryTables } from "./rope.js";

const spec = (extra: Record<string, unknown>, headDim = 128) =>
  ropeSpec(new ConfigReader({ rope_theta: 500000, ...extra }), headDim);

describe("rope_scaling", () => {
  it("linear: position p with factor 2 is the unscaled position p/2", () => {
    const plain = spec({});
    const scaled = spec({ rope_scaling: { type: "linear", factor: 2 } });
    for (let j = 0; j < 64; j++) expect(scaled.invFreq[j]).toBe(Math.fround(plain.invFreq[j] / 2));
    const a = rotaryTables(scaled, Int32Array.from([10]), [1]).cos.dataSync() as Float32Array;
    const b = rotaryTables(plain, Int32Array.from([5]), [1]).cos.dataSync() as Float32Array;
    for (let i = 0; i < 128; i++) expect(a[i]).toBeCloseTo(b[i], 5);
  });

  it("llama3: high frequencies kept, low ones divided by factor, a ramp between", () => {
    const plain = spec({});
    const s = spec({
      rope_scaling: {
        rope_type: "llama3",
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 8192,
      },
    });
    const wavelen = (f: number) => (2 * Math.PI) / f;
    let kept = 0;
    let divided = 0;
    let ramp = 0;
    for (let j = 0; j < 64; j++) {
      const w = wavelen(plain.invFreq[j]);
      if (w < 8192 / 4) {
        expect(s.invFreq[j]).toBe(plain.invFreq[j]);
        kept++;
      } else if (w > 8192) {
        expect(s.invFreq[j]).toBeCloseTo(plain.invFreq[j] / 8, 12);
        divided++;
      } else {
        expect(s.invFreq[j]).toBeLessThan(plain.invFreq[j]);
        expect(s.invFreq[j]).toBeGreaterThan(plain.invFreq[j] / 8);
        ramp++;
      }
    }
    expect(kept && divided && ramp).toBeTruthy();
  });

  it("rejects an unsupported type, listing the supported ones", () => {
    expect(() => spec({ rope_scaling: { rope_type: "yarn", factor: 4 } })).toThrow(
      /"yarn".*default, linear, llama3/,
    );
  });
});
