import { describe, expect, it } from "vitest";
import { gptqWindows, slidingWindows } from "./windows.js";

describe("gptqWindows", () => {
  it("takes floor(n / seqLen) non-overlapping windows and drops the tail", () => {
    expect(gptqWindows(10, 4)).toEqual([
      { start: 0, end: 4, scoreFrom: 1 },
      { start: 4, end: 8, scoreFrom: 1 },
    ]);
    expect(gptqWindows(8, 4)).toHaveLength(2);
    expect(gptqWindows(3, 4)).toEqual([]);
  });

  it("rejects a window that could score nothing", () => {
    expect(() => gptqWindows(10, 1)).toThrow(RangeError);
    expect(() => gptqWindows(10, 2.5)).toThrow(/positive integer/);
  });
});

describe("slidingWindows", () => {
  it("follows HF's recipe: each window scores only tokens the previous one did not reach", () => {
    expect(slidingWindows(7, 4, 2)).toEqual([
      { start: 0, end: 4, scoreFrom: 1 },
      { start: 2, end: 6, scoreFrom: 2 },
      { start: 4, end: 7, scoreFrom: 2 },
    ]);
  });

  it("scores every token after the first exactly once when stride < seqLen", () => {
    for (const [n, seqLen, stride] of [
      [100, 16, 5],
      [64, 16, 15],
      [17, 8, 1],
      [5, 8, 3],
    ]) {
      const counts = new Array(n).fill(0);
      for (const w of slidingWindows(n, seqLen, stride)) {
        expect(w.end - w.start).toBeLessThanOrEqual(seqLen);
        for (let t = w.start + w.scoreFrom; t < w.end; t++) counts[t]++;
      }
      expect(counts).toEqual([0, ...new Array(n - 1).fill(1)]);
    }
  });

  it("with stride = seqLen keeps the short tail and, like HF, leaves each window's first token unscored", () => {
    expect(slidingWindows(10, 4, 4)).toEqual([
      { start: 0, end: 4, scoreFrom: 1 },
      { start: 4, end: 8, scoreFrom: 1 },
      { start: 8, end: 10, scoreFrom: 1 },
    ]);
  });

  it("rejects a stride longer than the window", () => {
    expect(() => slidingWindows(10, 4, 5)).toThrow(/stride/);
  });

  it("yields nothing for fewer than two tokens", () => {
    expect(slidingWindows(1, 4, 2)).toEqual([]);
    expect(slidingWindows(0, 4, 2)).toEqual([]);
  });
});
