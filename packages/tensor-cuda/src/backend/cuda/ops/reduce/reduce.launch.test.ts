import { describe, expect, it } from "vitest";
import { chunkCount, splitFor } from "./reduce.launch.js";

describe("CUDA reduction split heuristics", () => {
  it("picks the largest divisor within bounds, leaving ≥ 16 elements a chunk", () => {
    expect(chunkCount(4096, 256)).toBe(256);
    expect(chunkCount(1000, 256)).toBe(50);
    expect(chunkCount(7919, 256)).toBe(1); // prime: no split
    expect(chunkCount(40, 256)).toBe(2);
  });

  it("splits a bias gradient and a full sum, not wide reductions or arg-reductions", () => {
    expect(splitFor("sum", 1, 4096, 768, 132)).toBe(256); // 768 outputs over 4096 rows
    expect(splitFor("sum", 1, 1 << 20, 1, 132)).toBe(1024); // a full sum
    expect(splitFor("max", 8192, 4096, 1, 132)).toBe(1); // many rows already fill the GPU
    expect(splitFor("sum", 1, 4096, 50_000, 132)).toBe(1); // many outputs
    expect(splitFor("argmax", 1, 1 << 20, 1, 132)).toBe(1);
  });
});
