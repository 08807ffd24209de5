import { describe, expect, it } from "vitest";
import { index3 } from "./index3.js";
import type { KernelSpec } from "./kernel-abi.js";
import { loadKoffi } from "./koffi.js";
import { encodeArg, layoutParams, ParamPacker } from "./params.js";

describe("kernel parameter packing", () => {
  it("places each parameter at its natural alignment", () => {
    expect(layoutParams(["i32", "ptr", "u8", "f64", "u16", "f32", "index3"])).toEqual({
      offsets: [0, 8, 16, 24, 32, 36, 40],
      bytes: 40 + 296,
    });
  });

  it("the pointer array points at each value, in native memory the driver can read", () => {
    const koffi = loadKoffi();
    const spec: KernelSpec = { file: "x.cu", params: ["i32", "ptr", "i64", "f64", "u16", "index3"] };
    const packer = new ParamPacker();
    const view = index3([{ shape: [2, 3], strides: [1, 2], offset: 7 }]);
    const params = packer.pack("k", spec, [-5, 0xdead_beef_00n, 2 ** 40, 0.1, 0xabcd, view]);
    const { offsets } = layoutParams(spec.params);
    for (let i = 0; i < offsets.length; i++) {
      expect(packer.pointerAt(i)).toBe(packer.baseAddress + BigInt(offsets[i]));
    }
    // Read back through the raw addresses with libc's memcpy, as cuLaunchKernel will.
    const ptrs = (koffi.decode(params, "uint64_t", 6) as (bigint | number)[]).map(BigInt);
    expect(ptrs).toEqual(offsets.map((o) => packer.baseAddress + BigInt(o)));
    const memcpy = koffi.load("libc.so.6").func("void *memcpy(void *dst, uint64_t src, size_t n)");
    const bytes = (i: number, n: number) => {
      const out = new Uint8Array(n);
      memcpy(out, ptrs[i], n);
      return new DataView(out.buffer);
    };
    expect(bytes(0, 4).getInt32(0, true)).toBe(-5);
    expect(bytes(1, 8).getBigUint64(0, true)).toBe(0xdead_beef_00n);
    expect(bytes(2, 8).getBigInt64(0, true)).toBe(2n ** 40n);
    expect(bytes(3, 8).getFloat64(0, true)).toBe(0.1);
    expect(bytes(4, 2).getUint16(0, true)).toBe(0xabcd);
    const ix = bytes(5, 296);
    expect([ix.getBigInt64(0, true), ix.getBigInt64(8, true)]).toEqual([2n, 6n]); // rank, n
  });

  it("names the kernel and parameter on bad arguments", () => {
    const packer = new ParamPacker();
    const spec: KernelSpec = { file: "x.cu", params: ["ptr", "index3"] };
    expect(() => packer.pack("copy_strided_b4", spec, [0n])).toThrow(
      /copy_strided_b4 takes 2 arguments, got 1/,
    );
    expect(() => packer.pack("copy_strided_b4", spec, [0n, 3])).toThrow(/parameter 1: expected an Index3/);
    const dv = new DataView(new ArrayBuffer(8));
    expect(() => encodeArg(dv, 0, "i64", 1.5, "k parameter 2")).toThrow(
      /k parameter 2: 1.5 is not an integer/,
    );
  });
});
