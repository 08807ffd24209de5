import { describe, expect, it } from "vitest";
import { checkBits, dequantizeCode, gridParams, quantizeCode, roundHalfEven } from "./quantizer.js";

describe("quantizer", () => {
  it("rounds halves to even as torch.round does", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, -0, -2, -2, 2, 3,
    ]);
  });

  // Two rows over three columns, given transposed (column-major): row 0 = [-1, 0.5, 2], row 1 = [0.25, 1, 3].
  const wt = Float32Array.from([-1, 0.25, 0.5, 1, 2, 3]);

  it("asymmetric: min-max grid including zero, zero point rounded", () => {
    const s = new Float32Array(2);
    const z = new Float32Array(2);
    gridParams(wt, 2, 0, 3, 15, false, s, z);
    expect(s[0]).toBe(Math.fround(3 / 15));
    expect(z[0]).toBe(5);
    expect(s[1]).toBe(Math.fround(3 / 15)); // the range is stretched down to 0
    expect(z[1]).toBe(0);
    expect(quantizeCode(2, s[0], z[0], 15)).toBe(15);
    expect(dequantizeCode(quantizeCode(-1, s[0], z[0], 15), s[0], z[0])).toBeCloseTo(-1, 6);
  });

  it("symmetric: zero at (maxq + 1) / 2 even for a row with no negatives", () => {
    const s = new Float32Array(2);
    const z = new Float32Array(2);
    gridParams(wt, 2, 0, 3, 15, true, s, z);
    expect(s[0]).toBe(Math.fround(4 / 15)); // [-2, 2]
    expect(s[1]).toBe(Math.fround(3 / 15)); // [0, 3]: lo stays 0
    expect([...z]).toEqual([8, 8]);
  });

  it("an all-zero row gets the range [-1, 1]", () => {
    const s = new Float32Array(1);
    const z = new Float32Array(1);
    gridParams(new Float32Array(4), 1, 0, 4, 3, false, s, z);
    expect(s[0]).toBe(Math.fround(2 / 3));
    expect(z[0]).toBe(2);
  });

  it("checkBits names the argument", () => {
    expect(() => checkBits(5, "f", "options.bits")).toThrow(
      "f: options.bits must be one of 2, 3, 4, 8, got 5",
    );
  });
});
