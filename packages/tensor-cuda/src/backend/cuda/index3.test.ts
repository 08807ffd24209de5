import { describe, expect, it } from "vitest";
import { isContiguous as isContiguousView } from "../strided-view.js";
import { coalesce, index3, writeIndex3 } from "./index3.js";
import { INDEX3_BYTES, MAX_RANK } from "./kernel-abi.js";

/** Element offsets an operand reads, walking `shape` row-major with `strides` (the kernel's view). */
function offsets(shape: readonly number[], strides: readonly number[], offset: number): number[] {
  const out: number[] = [];
  const n = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    let rem = i;
    let off = offset;
    for (let d = shape.length - 1; d >= 0; d--) {
      off += (rem % shape[d]) * strides[d];
      rem = Math.floor(rem / shape[d]);
    }
    out.push(off);
  }
  return out;
}

describe("Index3 views for the strided kernels", () => {
  it("merges a contiguous tensor to one axis", () => {
    expect(coalesce([2, 3, 4], [[12, 4, 1]])).toEqual({ shape: [24], strides: [[1]] });
  });

  it("keeps a transposed pair of axes apart", () => {
    // [3, 4] read through a transpose of a [4, 3] buffer
    expect(coalesce([3, 4], [[1, 3]])).toEqual({ shape: [3, 4], strides: [[1, 3]] });
  });

  it("merges only where every operand agrees", () => {
    // a: contiguous [2,3,4]; b: a row vector [4] broadcast over [2,3]
    const c = coalesce(
      [2, 3, 4],
      [
        [12, 4, 1],
        [0, 0, 1],
      ],
    );
    expect(c).toEqual({
      shape: [6, 4],
      strides: [
        [4, 1],
        [0, 1],
      ],
    });
  });

  it("drops size-1 axes and turns a scalar into [1]", () => {
    expect(coalesce([1, 5, 1], [[99, 1, 7]])).toEqual({ shape: [5], strides: [[1]] });
    expect(coalesce([], [[]])).toEqual({ shape: [1], strides: [[0]] });
  });

  it("coalescing never changes which elements are read (random views)", () => {
    let seed = 7;
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % k;
    };
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + rand(5);
      const shape = Array.from({ length: rank }, () => 1 + rand(4));
      // random permutation of a contiguous layout, with some broadcast axes
      const perm = shape.map((_, i) => i).sort(() => rand(3) - 1);
      const base = new Array(rank).fill(0);
      let acc = 1;
      for (let i = rank - 1; i >= 0; i--) {
        base[perm[i]] = acc;
        acc *= shape[perm[i]];
      }
      const views = [0, 1].map(() => ({
        shape,
        strides: base.map((s) => (rand(4) === 0 ? 0 : s)),
        offset: rand(10),
      }));
      const ix = index3(views);
      for (let k = 0; k < 2; k++) {
        expect(offsets(ix.shape, ix.strides[k], ix.offsets[k])).toEqual(
          offsets(views[k].shape, views[k].strides, views[k].offset),
        );
      }
      expect(ix.n).toBe(shape.reduce((a, b) => a * b, 1));
    }
  });

  it("refuses more than MAX_RANK axes that cannot merge", () => {
    const rank = MAX_RANK + 1;
    const shape = new Array(rank).fill(2);
    // strides that never line up: every axis twice the "contiguous" stride
    const strides = shape.map((_, i) => 2 ** (2 * (rank - i)));
    expect(() => index3([{ shape, strides, offset: 0 }])).toThrow(/at most 8/);
  });

  it("serialises to the struct layout of common.cuh", () => {
    const ix = index3([
      { shape: [3, 4], strides: [1, 3], offset: 5 },
      { shape: [3, 4], strides: [0, 1], offset: 2 },
    ]);
    const buf = new DataView(new ArrayBuffer(INDEX3_BYTES));
    writeIndex3(buf, 0, ix);
    const at = (slot: number) => Number(buf.getBigInt64(slot * 8, true));
    expect([at(0), at(1)]).toEqual([2, 12]); // rank, n
    expect([at(2), at(3), at(4)]).toEqual([3, 4, 1]); // shape, padded with 1
    expect([at(10), at(11)]).toEqual([1, 3]); // s0
    expect([at(18), at(19)]).toEqual([0, 1]); // s1
    expect([at(26), at(27)]).toEqual([0, 0]); // s2 (absent operand)
    expect([at(34), at(35), at(36)]).toEqual([5, 2, 0]); // offsets
    expect(INDEX3_BYTES).toBe(37 * 8);
  });

  it("recognises contiguous views", () => {
    expect(isContiguousView({ shape: [2, 3], strides: [3, 1], offset: 4 })).toBe(true);
    expect(isContiguousView({ shape: [2, 1, 3], strides: [3, 99, 1], offset: 0 })).toBe(true);
    expect(isContiguousView({ shape: [2, 3], strides: [1, 2], offset: 0 })).toBe(false);
    expect(isContiguousView({ shape: [2, 3], strides: [0, 1], offset: 0 })).toBe(false);
  });
});
