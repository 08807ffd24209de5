import { describe, expect, it } from "vitest";
import { columnBlock } from "./column-block.js";

describe("columnBlock", () => {
  // Rows not a multiple of 4 exercise the scalar tail after the SIMD lanes.
  for (const rows of [13, 64, 4864]) {
    it(`spreads an error bit-identically to the rounded product-then-subtract loop (${rows} rows)`, () => {
      const width = 9;
      let seed = rows;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648 - 0.5;
      };
      const w = Float32Array.from({ length: rows * width }, rand);
      const e = Float32Array.from({ length: rows }, rand);
      const coef = Float32Array.from({ length: width - 3 }, rand);
      const want = w.slice();
      for (let j = 0; j < coef.length; j++)
        for (let r = 0; r < rows; r++) want[(3 + j) * rows + r] -= Math.fround(e[r] * coef[j]);
      for (const useWasm of [true, false]) {
        const block = columnBlock(rows, width, useWasm);
        block.w.set(w);
        block.err.set(e, 2 * rows);
        block.spread(2, coef);
        expect(Array.from(block.w), useWasm ? "WebAssembly" : "JavaScript").toEqual(Array.from(want));
      }
    });
  }
});
