import { describe, expect, it } from "vitest";
import { formatProgress, ProgressMeter } from "./progress.js";

describe("progress", () => {
  it("rates only this session's items and estimates the rest", () => {
    let t = 0;
    const meter = new ProgressMeter(100, 40, () => t);
    t = 10_000;
    const p = meter.advance(20);
    expect(p).toEqual({ done: 60, total: 100, itemsPerSecond: 2, etaSeconds: 20 });
    expect(formatProgress(p)).toBe("gsm8k 60/100 (60.0%) 2.00 items/s ETA 0m20s");
  });

  it("has no ETA before a rate is known", () => {
    const meter = new ProgressMeter(10, 0, () => 0);
    expect(meter.advance(1).etaSeconds).toBeNull();
    expect(formatProgress({ done: 1, total: 10, itemsPerSecond: 0, etaSeconds: null })).toContain("ETA ?");
  });
});
