import { Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { int8Quantize } from "./int8.js";
import { rtnQuantize } from "./rtn.js";

describe("rtnQuantize", () => {
  it("rounds each group to its own grid", () => {
    const w = Tensor.from([[0, 1, 2, 3, -4, -2, 0, 4]]);
    const q = rtnQuantize(w, { bits: 2, groupSize: 4 });
    expect(q.scale.toArray()).toEqual([[1], [Math.fround(8 / 3)]]);
    expect(q.zero.toArray()).toEqual([[0], [2]]);
    expect(q.codes.toArray()).toEqual([[0, 1, 2, 3, 0, 1, 2, 3]]);
    expect([...(q.gIdx.dataSync() as Int32Array)]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it("rejects unsupported widths", () => {
    expect(() => rtnQuantize(Tensor.zeros([2, 2]), { bits: 5 as never })).toThrow(
      /rtnQuantize: options\.bits/,
    );
  });
});

describe("int8Quantize (optimum-quanto absmax per channel)", () => {
  it("scales each row by max|w| / 127 and rounds", () => {
    const q = int8Quantize(
      Tensor.from([
        [127, -63.5, 1],
        [0, 0, 0],
        [-2.54, 1.27, 0.005],
      ]),
    );
    expect(q.scale.toArray()).toEqual([1, 1, Math.fround(Math.fround(2.54) / 127)]);
    expect(q.codes.dtype).toBe("int8");
    expect(q.codes.toArray()).toEqual([
      [127, -64, 1],
      [0, 0, 0],
      [-127, 64, 0],
    ]);
  });
});
