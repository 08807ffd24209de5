import { describe, expect, it } from "vitest";
import { createRng, hashSeed } from "./prng.js";

describe("createRng", () => {
  it("gives the same stream for the same seed parts, and a different one otherwise", () => {
    const a = Array.from({ length: 5 }, createRng(1, "x").next);
    const b = Array.from({ length: 5 }, createRng(1, "x").next);
    const c = Array.from({ length: 5 }, createRng(2, "x").next);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("is pinned: these values must never change, or published perturbations would", () => {
    expect(hashSeed("rupbench")).toBe(458946975);
    const r = createRng(42);
    expect([r.int(1000), r.int(1000), r.int(1000)]).toEqual([168, 288, 185]);
  });

  it("keeps int, between and sample in range", () => {
    const r = createRng("range");
    for (let k = 0; k < 1000; k++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const b = r.between(3, 6);
      expect(b >= 3 && b <= 6).toBe(true);
    }
    const s = r.sample([1, 2, 3, 4, 5], 3);
    expect(new Set(s).size).toBe(3);
    expect(r.sample([1, 2], 5)).toHaveLength(2);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});
