import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Tensor } from "../testing/core.js";
import { ReadScratch, readIntoTensor } from "./load-into.js";
import { SafetensorsFile } from "./reader.js";
import { saveSafetensors } from "./writer.js";

describe("readIntoTensor", () => {
  it("reads same-dtype tensors in place and widens bfloat16/float16 exactly as a cast does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-into-"));
    const values = Tensor.from(
      Float32Array.from({ length: 300 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4)),
      [3, 100],
    );
    const file = join(dir, "t.safetensors");
    await saveSafetensors(
      file,
      new Map([
        ["f32", values],
        ["bf16", values.cast("bfloat16")],
        ["f16", values.cast("float16")],
        ["i32", Tensor.from(Int32Array.from({ length: 7 }, (_, i) => i * 3 - 5))],
      ]),
    );
    const r = await SafetensorsFile.open(file);
    const scratch = new ReadScratch();
    try {
      for (const [name, want] of [
        ["f32", values],
        ["bf16", values.cast("bfloat16").cast("float32")],
        ["f16", values.cast("float16").cast("float32")],
      ] as const) {
        const target = Tensor.zeros([3, 100]);
        expect(await readIntoTensor(r, name, target, scratch)).toBe(true);
        expect(Array.from(target.dataSync() as Float32Array)).toEqual(
          Array.from(want.dataSync() as Float32Array),
        );
      }
      const half = Tensor.zeros([3, 100], { dtype: "bfloat16" });
      expect(await readIntoTensor(r, "bf16", half, scratch)).toBe(true);
      expect(Array.from(half.dataSync() as Uint16Array)).toEqual(
        Array.from(values.cast("bfloat16").dataSync() as Uint16Array),
      );
      // Nothing it cannot do in place: the caller converts.
      expect(await readIntoTensor(r, "f32", Tensor.zeros([3, 100], { dtype: "bfloat16" }), scratch)).toBe(
        false,
      );
      expect(await readIntoTensor(r, "f32", Tensor.zeros([299]), scratch)).toBe(false);
      const ints = Tensor.zeros([7], { dtype: "int32" });
      expect(await readIntoTensor(r, "i32", ints, scratch)).toBe(true);
      expect(Array.from(ints.dataSync() as Int32Array)).toEqual([-5, -2, 1, 4, 7, 10, 13]);
    } finally {
      await r.close();
    }
  });
});
