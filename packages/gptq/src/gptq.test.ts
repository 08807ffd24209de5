import { Generator, ShapeError, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { gptqQuantize } from "./gptq.js";
import { HessianAccumulator } from "./hessian.js";
import type { QuantizedWeight } from "./result.js";
import { rtnQuantize } from "./rtn.js";
import { outputError } from "./test-fixtures.js";

function problem(rows: number, cols: number, tokens: number, seed = 1) {
  const g = new Generator(seed);
  const w = Tensor.randn([rows, cols], { generator: g });
  const xd = Tensor.randn([tokens, cols], { generator: g }).dataSync() as Float32Array;
  // Correlated inputs with uneven scales: where GPTQ's error feedback pays off.
  for (let t = 0; t < tokens; t++)
    for (let c = 1; c < cols; c++)
      xd[t * cols + c] = 0.6 * xd[t * cols + c - 1] + xd[t * cols + c] * (1 + (c % 5));
  const x = Tensor.from(xd, [tokens, cols]);
  const acc = new HessianAccumulator(cols);
  acc.add(x);
  return { w, x, h: acc.hessian() };
}

/** dequantized = scale[gIdx] · (codes − zero), exactly: the invariant packing relies on. */
function expectConsistent(q: QuantizedWeight) {
  const [rows, cols] = q.dequantized.shape;
  const deq = q.dequantized.dataSync() as Float32Array;
  const codes = q.codes.dataSync() as Int32Array;
  const s = q.scale.dataSync() as Float32Array;
  const z = q.zero.dataSync() as Float32Array;
  const g = q.gIdx.dataSync() as Int32Array;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = g[c] * rows + r;
      expect(codes[r * cols + c]).toBeGreaterThanOrEqual(0);
      expect(codes[r * cols + c]).toBeLessThanOrEqual(2 ** q.bits - 1);
      expect(deq[r * cols + c]).toBe(Math.fround(s[k] * (codes[r * cols + c] - z[k])));
    }
  }
}

describe("gptqQuantize", () => {
  const { w, x, h } = problem(24, 96, 200);

  for (const [bits, groupSize, actOrder, staticGroups, sym] of [
    [4, -1, false, false, true],
    [3, 32, false, false, false],
    [2, 16, true, false, false],
    [4, 24, true, true, true],
    [8, 48, true, false, false],
  ] as const) {
    it(`${bits}-bit, group ${groupSize}${actOrder ? ", act-order" : ""}${staticGroups ? ", static" : ""}: beats RTN and is self-consistent`, () => {
      const q = gptqQuantize(w, h, { bits, groupSize, actOrder, staticGroups, sym });
      expectConsistent(q);
      expect(q.loss).toBeGreaterThan(0);
      const groups = groupSize === -1 ? 1 : Math.ceil(96 / groupSize);
      expect(q.scale.shape).toEqual([groups, 24]);
      const rtn = rtnQuantize(w, { bits, groupSize, sym });
      expect(outputError(x, w, q.dequantized)).toBeLessThan(outputError(x, w, rtn.dequantized));
    });
  }

  it("gives the same answer whatever the block size (lazy updates are exact up to rounding)", () => {
    const a = gptqQuantize(w, h, { bits: 4, groupSize: -1, blockSize: 128 });
    const b = gptqQuantize(w, h, { bits: 4, groupSize: -1, blockSize: 16 });
    const ea = outputError(x, w, a.dequantized);
    const eb = outputError(x, w, b.dequantized);
    expect(Math.abs(ea / eb - 1)).toBeLessThan(1e-3);
  });

  it("zeroes dead columns and keeps the Hessian invertible", () => {
    const hd = h.dataSync() as Float32Array;
    for (let i = 0; i < 96; i++) hd[3 * 96 + i] = hd[i * 96 + 3] = 0;
    const q = gptqQuantize(w, Tensor.from(hd, [96, 96]), { bits: 4, groupSize: 32, actOrder: true });
    const deq = q.dequantized.dataSync() as Float32Array;
    for (let r = 0; r < 24; r++)
      expect(Math.abs(deq[r * 96 + 3])).toBeLessThanOrEqual((q.scale.dataSync() as Float32Array)[r]);
    expectConsistent(q);
  });

  it("maps act-order groups back through g_idx", () => {
    const q = gptqQuantize(w, h, { bits: 4, groupSize: 32, actOrder: true });
    const g = q.gIdx.dataSync() as Int32Array;
    const counts = [0, 0, 0];
    for (const v of g) counts[v]++;
    expect(counts).toEqual([32, 32, 32]);
    expect([...g].some((v, i) => i > 0 && v < g[i - 1])).toBe(true);
    const s = gptqQuantize(w, h, { bits: 4, groupSize: 32, actOrder: true, staticGroups: true });
    expect([...(s.gIdx.dataSync() as Int32Array)]).toEqual(
      Array.from({ length: 96 }, (_, i) => Math.floor(i / 32)),
    );
  });

  it("rejects bad input, naming the argument", () => {
    expect(() => gptqQuantize(w, h, { bits: 5 as never })).toThrow(
      /options\.bits must be one of 2, 3, 4, 8, got 5/,
    );
    expect(() => gptqQuantize(w, h, { bits: 4, groupSize: 0 })).toThrow(/options\.groupSize/);
    expect(() => gptqQuantize(w, h, { bits: 4, blockSize: 0 })).toThrow(/options\.blockSize/);
    expect(() => gptqQuantize(w, h, { bits: 4, percDamp: -1 })).toThrow(/options\.percDamp/);
    expect(() => gptqQuantize(w, Tensor.zeros([96, 95]), { bits: 4 })).toThrow(/hessian must be square/);
    expect(() => gptqQuantize(w, Tensor.zeros([95, 95]), { bits: 4 })).toThrow(ShapeError);
    expect(() => gptqQuantize(w, Tensor.zeros([95, 95]), { bits: 4 })).toThrow(
      /hessian is \[95, 95\] but weight has 96/,
    );
    expect(() => gptqQuantize(Tensor.zeros([96]), h, { bits: 4 })).toThrow(/weight must be a matrix/);
    expect(() => gptqQuantize(Tensor.zeros([0, 96]), h, { bits: 4 })).toThrow(
      /weight is empty \(\[0, 96\]\)/,
    );
  });
});
