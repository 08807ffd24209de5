import { describe, expect, it } from "vitest";
import { packedMatmulDeclines } from "../backend/cpu/quant/nbits.js";
import { Generator, noGrad, Tensor } from "../testing/core.js";
import { packBits } from "./bitstream.js";
import { dequantizePacked, forgetPacked, type PackedWeight, packedLinear } from "./packed.js";

/*
 * Packed weights built from known codes, zeros and scales, checked against the float weight
 * written out here element by element (scale · (code − zero), the GPTQ definition), through both
 * CPU paths: MatMulNBits (2/3/4 bits, power-of-two groups) and dequantize + GEMM (the rest).
 */

interface Case {
  out: number;
  inF: number;
  bits: number;
  groupSize: number;
  actOrder?: boolean;
  /** Force zero points of 0 into the first group (asymmetric grids produce them). */
  zeroZero?: boolean;
}

function build(c: Case, seed = 1): { packed: PackedWeight; w: Float32Array } {
  const g = new Generator(seed);
  const { out, inF, bits } = c;
  const maxq = 2 ** bits - 1;
  const groupLen = c.groupSize === -1 ? inF : c.groupSize;
  const groups = Math.ceil(inF / groupLen);
  // Act-order: groups follow a permutation of the input columns, as GPTQ's desc_act leaves them.
  const perm = Int32Array.from({ length: inF }, (_, i) => i);
  if (c.actOrder)
    for (let i = inF - 1; i > 0; i--) {
      const j = g.int(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
  const gIdx = new Int32Array(inF);
  perm.forEach((col, rank) => {
    gIdx[col] = Math.floor(rank / groupLen);
  });
  const codesT = Int32Array.from({ length: inF * out }, () => g.int(maxq + 1));
  const zeros = Int32Array.from({ length: groups * out }, (_, i) =>
    c.zeroZero && i < out ? 0 : g.int(maxq + 1),
  );
  // Scales as checkpoints store them: through float16.
  const raw = Float32Array.from({ length: groups * out }, () => 0.001 + g.uniform() * 0.02);
  const scales = Tensor.from(raw).cast("float16").cast("float32").dataSync() as Float32Array;
  const w = new Float32Array(out * inF);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inF; i++) {
      const k = gIdx[i] * out + o;
      w[o * inF + i] = Math.fround(scales[k] * (codesT[i * out + o] - zeros[k]));
    }
  return {
    packed: {
      qweight: Tensor.from(packBits(codesT, inF, out, bits, 0), [(inF * bits) / 32, out]),
      qzeros: Tensor.from(packBits(zeros, groups, out, bits, 1), [groups, (out * bits) / 32]),
      scales: Tensor.from(scales, [groups, out]).cast("float16"),
      gIdx: Tensor.from(gIdx, [inF]),
      bits,
      groupSize: c.groupSize,
    },
    w,
  };
}

function reference(x: Float32Array, w: Float32Array, rows: number, out: number, inF: number): Float64Array {
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
      y[r * out + o] = s;
    }
  return y;
}

function maxRelErr(got: Float32Array, want: Float64Array): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  return err / Math.max(scale, 1e-30);
}

const CASES: (Case & { path: "nbits" | "dequantize" })[] = [
  { out: 48, inF: 256, bits: 4, groupSize: 32, path: "nbits" },
  { out: 40, inF: 256, bits: 4, groupSize: 64, actOrder: true, zeroZero: true, path: "nbits" },
  { out: 32, inF: 128, bits: 4, groupSize: -1, path: "nbits" },
  { out: 32, inF: 96, bits: 4, groupSize: -1, path: "nbits" },
  { out: 64, inF: 128, bits: 2, groupSize: 16, path: "nbits" },
  { out: 32, inF: 256, bits: 3, groupSize: 128, actOrder: true, path: "nbits" },
  { out: 32, inF: 128, bits: 8, groupSize: 32, path: "dequantize" },
  { out: 32, inF: 96, bits: 4, groupSize: 24, path: "dequantize" },
];

describe("packedLinear on the CPU", () => {
  for (const c of CASES) {
    const name = `${c.bits}-bit [${c.out}, ${c.inF}] groups of ${c.groupSize}${c.actOrder ? ", act-order" : ""}${c.zeroZero ? ", zero points of 0" : ""}`;
    it(`${name} multiplies like its float weight (${c.path})`, () => {
      const { packed, w } = build(c);
      for (const rows of [1, 5, 33]) {
        const g = new Generator(rows);
        const x = Float32Array.from({ length: rows * c.inF }, () => g.normal());
        const y = noGrad(() => packedLinear(Tensor.from(x, [rows, c.inF]), packed));
        expect(y.shape).toEqual([rows, c.out]);
        expect(maxRelErr(y.dataSync() as Float32Array, reference(x, w, rows, c.out, c.inF))).toBeLessThan(
          2e-6,
        );
      }
      expect(packedMatmulDeclines(packed.qweight.storage) === null).toBe(c.path === "nbits");
      const deq = dequantizePacked(packed).dataSync() as Float32Array;
      expect(Array.from(deq)).toEqual(Array.from(w));
    });
  }

  it("takes batched inputs and a bias, and differentiates in both", () => {
    const c = { out: 24, inF: 64, bits: 4, groupSize: 32 };
    const { packed, w } = build(c, 7);
    const x = Tensor.randn([2, 3, 64], { generator: new Generator(3) }).requiresGrad_();
    const bias = Tensor.randn([24], { generator: new Generator(4) }).requiresGrad_();
    const y = packedLinear(x, packed, bias);
    expect(y.shape).toEqual([2, 3, 24]);
    const wt = Tensor.from(w, [24, 64]);
    const want = x.detach().matmul(wt.transpose(0, 1)).add(bias.detach());
    expect(Math.max(...(y.sub(want).abs().dataSync() as Float32Array))).toBeLessThan(1e-5);
    const upstream = Tensor.randn([2, 3, 24], { generator: new Generator(5) });
    y.mul(upstream).sum().backward();
    const gx = upstream.matmul(wt);
    expect(Math.max(...(x.grad!.sub(gx).abs().dataSync() as Float32Array))).toBeLessThan(1e-5);
    expect(
      Math.max(
        ...(bias
          .grad!.sub(upstream.sum([0, 1]))
          .abs()
          .dataSync() as Float32Array),
      ),
    ).toBeLessThan(1e-5);
  });

  it("forgetPacked makes a weight written in place take effect", () => {
    const c = { out: 16, inF: 64, bits: 4, groupSize: 32 };
    const { packed } = build(c, 9);
    const x = Tensor.ones([1, 64]);
    const before = packedLinear(x, packed).dataSync() as Float32Array;
    packed.qweight.assign(Tensor.zeros(packed.qweight.shape, { dtype: "int32" }));
    forgetPacked(packed);
    const after = packedLinear(x, packed).dataSync() as Float32Array;
    expect(Array.from(after)).not.toEqual(Array.from(before));
    const deq = dequantizePacked(packed);
    const want = x.matmul(deq.transpose(0, 1)).dataSync() as Float32Array;
    expect(Math.max(...Array.from(after, (v, i) => Math.abs(v - (want[i] as number))))).toBeLessThan(1e-5);
  });

  it("names inconsistent buffers", () => {
    const { packed } = build({ out: 16, inF: 64, bits: 4, groupSize: 32 });
    expect(() => packedLinear(Tensor.ones([1, 64]), { ...packed, bits: 8 })).toThrow(/shapes do not agree/);
    expect(() => packedLinear(Tensor.ones([1, 63]), packed)).toThrow(/63 features/);
    expect(() =>
      packedLinear(Tensor.ones([1, 64]), { ...packed, gIdx: Tensor.full([64], 5, { dtype: "int32" }) }),
    ).toThrow(/g_idx\[0\] = 5/);
  });
});
