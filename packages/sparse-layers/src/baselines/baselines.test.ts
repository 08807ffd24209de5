import { Generator, nn, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { groupedLoraFromLinear } from "../init/from-linear.js";
import { correlatedInputs, structuredWeight } from "../test-utils.js";
import { compareBaselines, relativeError } from "./compare.js";
import { countKept, inputChannelNorms, magnitudeMask, nmMask, wandaMask } from "./masks.js";

describe("pruning masks", () => {
  const w = Tensor.from([
    [1, -5, 2, 0.5, 3, -0.1, 4, 0.2],
    [-2, 0.3, 0.1, 6, -1, 1, 0.5, -0.7],
  ]);

  it("magnitude keeps the k largest |W| of the matrix", () => {
    const m = magnitudeMask(w, 4);
    expect(Array.from(m)).toEqual([0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it("Wanda scores |W|·‖X_j‖ and keeps the same number per output row", () => {
    const norms = Float64Array.from([10, 0.1, 1, 1, 1, 1, 1, 1]);
    const m = wandaMask(w, norms, 4);
    // Row 0: scores 10, 0.5, 2, 0.5, 3, 0.1, 4, 0.2 → keep 0 and 6; row 1: 20, .03, .1, 6, ... → 0 and 3.
    expect(Array.from(m)).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(
      Array.from(
        inputChannelNorms(
          Tensor.from([
            [3, 0],
            [4, 1],
          ]),
        ),
      ),
    ).toEqual([5, 1]);
  });

  it("2:4 keeps exactly two of every four consecutive weights", () => {
    const m = nmMask(w, 2, 4);
    expect(Array.from(m)).toEqual([0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0]);
    expect(countKept(nmMask(Tensor.randn([16, 32], { generator: new Generator(1) })))).toBe(16 * 16);
    expect(() => nmMask(Tensor.zeros([2, 6]))).toThrow(/multiple of 4/);
  });
});

describe("compareBaselines", () => {
  it("prices the baselines at the grouped + low-rank parameter count and measures their error", () => {
    const lin = new nn.Linear(32, 32, { generator: new Generator(2) });
    lin.weight.assign(structuredWeight(32, 32, 4, 3));
    const x = correlatedInputs(256, 32, 4);
    const res = compareBaselines(lin, x, 4, 4);
    const keep = (32 * 32) / 4 + 4 * 64;
    expect(res.find((r) => r.method === "magnitude")!.kept).toBe(keep);
    expect(res.find((r) => r.method === "wanda")!.kept).toBe(keep);
    expect(res.find((r) => r.method === "2:4")!.kept).toBe(512);
    const sparse = groupedLoraFromLinear(lin, 4, 4, { calibration: x }).module;
    const ours = relativeError(sparse, x, lin.call(x));
    console.log(
      `layer 32→32, ${keep} weights: grouped+LoRA (activation-aware) ${ours.toFixed(4)}; ` +
        res.map((r) => `${r.method} ${r.relError.toFixed(4)} (${r.kept})`).join(", "),
    );
    for (const r of res) expect(r.relError).toBeGreaterThan(0);
    // Wanda uses the inputs; on correlated, unevenly scaled channels it beats plain magnitude.
    expect(res.find((r) => r.method === "wanda")!.relError).toBeLessThan(
      res.find((r) => r.method === "magnitude")!.relError * 1.05,
    );
  });
});
