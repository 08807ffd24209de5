import { describe, expect, it } from "vitest";
import { cptSchedule, randomSchedule, staticSchedule } from "./schedules.js";

const first = (f: (t: number) => number, n: number) => Array.from({ length: n }, (_, t) => f(t));

describe("precision schedules", () => {
  it("static: cycles through its list", () => {
    expect(first(staticSchedule([4, 8, 16, 32]), 6)).toEqual([4, 8, 16, 32, 4, 8]);
  });

  it("CPT: the cosine rise of the paper's eq. 1 (np.rint), restarting each period", () => {
    const s = cptSchedule({ min: 2, max: 8, period: 8 });
    const ref = (t: number) => {
      const x = 2 + 0.5 * 6 * (1 + Math.cos(Math.PI * ((t % 8) / 8) + Math.PI));
      // np.rint: half to even.
      const r = Math.round(x);
      return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
    };
    const got = first(s, 24);
    expect(got).toEqual(first(ref, 24));
    expect(got.slice(0, 8)).toEqual([2, 2, 3, 4, 5, 6, 7, 8]);
    expect(got[8]).toBe(2);
    expect(() => cptSchedule({ min: 2, max: 8, period: 0 })).toThrow(/period/);
  });

  it("random: seeded, repeatable, and covers its widths", () => {
    const a = first(randomSchedule([2, 4, 8], 11), 200);
    expect(first(randomSchedule([2, 4, 8], 11), 200)).toEqual(a);
    expect(first(randomSchedule([2, 4, 8], 12), 200)).not.toEqual(a);
    for (const b of [2, 4, 8]) expect(a.filter((x) => x === b).length).toBeGreaterThan(40);
  });
});
