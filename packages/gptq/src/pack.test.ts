import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { gptqCheckpointTensors, readGptqCheckpoint } from "./checkpoint.js";
import { gptqQuantize } from "./gptq.js";
import { HessianAccumulator } from "./hessian.js";
import {
  dequantizeGptq,
  packBits,
  packGptq,
  unpackBits,
  unpackGptq,
  zeroPointsFromV1,
  zeroPointsToV1,
} from "./pack.js";
import type { Bits } from "./quantizer.js";

/** Column 0 of qweight-style packing (axis 0) for codes given down the input axis. */
const packColumn = (codes: number[], bits: Bits) => [
  ...packBits(Int32Array.from(codes), codes.length, 1, bits, 0),
];

describe("packBits: the AutoGPTQ layout, worked out by hand", () => {
  it("2-bit: 16 codes per word, LSB first", () => {
    // codes 0,1,2,3 repeated: each byte is 0b11_10_01_00 = 0xE4.
    expect(
      packColumn(
        Array.from({ length: 16 }, (_, i) => i % 4),
        2,
      ),
    ).toEqual([0xe4e4e4e4 | 0]);
  });
  it("4-bit: 8 codes per word", () => {
    expect(packColumn([0, 1, 2, 3, 4, 5, 6, 7], 4)).toEqual([0x76543210]);
    expect(packColumn([15, 0, 0, 0, 0, 0, 0, 9], 4)).toEqual([0x9000000f | 0]);
  });
  it("8-bit: 4 codes per word", () => {
    expect(packColumn([1, 2, 3, 255], 8)).toEqual([0xff030201 | 0]);
  });
  it("3-bit: 32 codes in 3 words, codes 10 and 21 straddling words", () => {
    const codes = new Array(32).fill(0);
    codes[0] = 3; // bits 0-2 of word 0
    codes[10] = 5; // 0b101 at bit 30: word0 bit 30 = 1, bit 31 = 0; word1 bit 0 = 1
    codes[21] = 6; // 0b110 at bit 63: word1 bit 31 = 0; word2 bits 0-1 = 0b11
    codes[31] = 7; // bits 93-95: word2 bits 29-31
    expect(packColumn(codes, 3)).toEqual([0x40000003, 0x00000001, 0xe0000003 | 0]);
  });
  it("qzeros packs along the output axis", () => {
    // zeros [1 group, 8 outputs] at 4 bits → one word per group.
    expect([...packBits(Int32Array.from([8, 8, 8, 8, 1, 2, 3, 4]), 1, 8, 4, 1)]).toEqual([0x43218888]);
  });
  it("refuses lengths that do not fill whole words", () => {
    expect(() => packBits(new Int32Array(16), 16, 1, 3, 0)).toThrow(/multiple of 32/);
  });
});

describe("pack / unpack round trips", () => {
  const g = new Generator(3);
  for (const bits of [2, 3, 4, 8] as const) {
    it(`${bits}-bit codes survive packBits → unpackBits on both axes`, () => {
      const n = 64;
      const m = 96;
      const v = Int32Array.from({ length: n * m }, () => Math.floor(g.uniform() * 2 ** bits));
      expect(unpackBits(packBits(v, n, m, bits, 0), n, m, bits, 0)).toEqual(v);
      expect(unpackBits(packBits(v, n, m, bits, 1), n, m, bits, 1)).toEqual(v);
    });
  }

  const w = Tensor.randn([32, 64], { generator: g });
  const acc = new HessianAccumulator(64);
  acc.add(Tensor.randn([2, 40, 64], { generator: g }));
  for (const [bits, groupSize, actOrder, sym] of [
    [4, 32, true, false],
    [3, 32, false, false],
    [2, -1, false, true],
    [8, 16, true, true],
  ] as const) {
    it(`a ${bits}-bit GPTQ weight (group ${groupSize}) packs, saves as v1 and loads back`, () => {
      const q = gptqQuantize(w, acc.hessian(), { bits, groupSize, actOrder, sym });
      const p = packGptq(q);
      expect(p.qweight.shape).toEqual([(64 * bits) / 32, 32]);
      expect(p.qzeros.shape).toEqual([q.scale.shape[0], (32 * bits) / 32]);
      expect(p.scales.dtype).toBe("float16");
      const u = unpackGptq(p);
      expect(u.codes).toEqual(q.codes.dataSync());
      expect([...u.zeros]).toEqual([...(q.zero.dataSync() as Float32Array)]);
      // The only loss is the float16 scale.
      const a = dequantizeGptq(p).dataSync() as Float32Array;
      const b = q.dequantized.dataSync() as Float32Array;
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(b[i]) * 1e-3 + 1e-7);

      const files = gptqCheckpointTensors("model.layers.0.mlp.up_proj", p);
      expect([...files.keys()]).toEqual(
        ["qweight", "qzeros", "scales", "g_idx"].map((k) => `model.layers.0.mlp.up_proj.${k}`),
      );
      const back = readGptqCheckpoint((k) => files.get(k), "model.layers.0.mlp.up_proj", { bits, groupSize });
      expect(back.qzeros.dataSync()).toEqual(p.qzeros.dataSync());
      expect(dequantizeGptq(back).dataSync()).toEqual(dequantizeGptq(p).dataSync());
    });
  }
});

describe("zero-point conventions", () => {
  const packedZeros = (z: number[], bits: Bits) =>
    Tensor.from(packBits(Int32Array.from(z), 1, z.length, bits, 1), [1, (z.length * bits) / 32]);
  const fields = (t: Tensor, n: number, bits: Bits) => [
    ...unpackBits(t.dataSync() as Int32Array, 1, n, bits, 1),
  ];

  it("v1 stores zero − 1 per field and reads back field + 1", () => {
    for (const bits of [2, 3, 4, 8] as const) {
      const n = bits === 3 ? 32 : 32 / bits;
      const z = Array.from({ length: n }, (_, i) => 1 + (i % (2 ** bits - 1)));
      const v1 = zeroPointsToV1(packedZeros(z, bits), bits);
      expect(fields(v1, n, bits)).toEqual(z.map((v) => v - 1));
      for (const rule of ["autogptq", "gptqmodel"] as const)
        expect(fields(zeroPointsFromV1(v1, bits, rule), n, bits)).toEqual(z);
    }
  });

  it("a zero point of 0 has no v1 form: refused on write, and an ambiguous v1 field is refused on read", () => {
    expect(() => zeroPointsToV1(packedZeros([8, 0, 15, 1, 8, 8, 8, 8], 4), 4, "m.qzeros")).toThrow(
      /m\.qzeros: group 0, output 1 has zero point 0/,
    );
    // AutoGPTQ's packer ORs the −1 of a zero of 0 over the fields above it: every one reads 15.
    const autogptq = Tensor.from(Int32Array.from([0xfffffff7 | 0]), [1, 1]);
    expect(() => zeroPointsFromV1(autogptq, 4, "autogptq", "m.qzeros")).toThrow(
      /m\.qzeros: group 0, output 1 stores 15 \(v1\), the zero point 16/,
    );
  });

  it("GPTQModel's own v1 files: its borrow on save comes back with one word addition", () => {
    // GPTQModel writes v1 as v2 − 0x11111111 per int32 word; zeros [8, 0, 15, 1, …] borrow.
    const v2 = packedZeros([8, 0, 15, 1, 8, 8, 8, 8], 4);
    const word = (v2.dataSync() as Int32Array)[0];
    const v1 = Tensor.from(Int32Array.from([(word - 0x11111111) | 0]), [1, 1]);
    expect(fields(zeroPointsFromV1(v1, 4, "gptqmodel"), 8, 4)).toEqual([8, 0, 15, 1, 8, 8, 8, 8]);
    // Read per field (AutoGPTQ, vLLM) the same bytes are wrong, and refused rather than misread.
    expect(() => zeroPointsFromV1(v1, 4, "autogptq")).toThrow(/zero point 16/);
  });

  it("a checkpoint with the wrong dtype or shape is named in the error", () => {
    const files = new Map([
      ["l.qweight", Tensor.zeros([8, 8], { dtype: "int32" })],
      ["l.qzeros", Tensor.zeros([1, 1], { dtype: "int32" })],
      ["l.scales", Tensor.zeros([1, 8], { dtype: "float32" })],
      ["l.g_idx", Tensor.zeros([64], { dtype: "int32" })],
    ]);
    expect(() => readGptqCheckpoint((k) => files.get(k), "l", { bits: 4, groupSize: -1 })).toThrow(
      /l\.scales is float32, expected float16/,
    );
    expect(() => readGptqCheckpoint(() => undefined, "l", { bits: 4, groupSize: -1 })).toThrow(
      /missing tensor l\.qweight/,
    );
  });
});
