import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Generator, linear, noGrad, Tensor } from "../../../testing/core.js";

const require = createRequire(import.meta.url);
const haveWabt = (() => {
  try {
    require.resolve("wabt");
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!haveWabt)("the committed WebAssembly modules", () => {
  for (const name of ["half-kernels", "gptq-column"]) {
    it(`${name}.wasm.ts holds the bytes ${name}.wat assembles to (rerun scripts/build-wasm.mjs after editing it)`, async () => {
      const script = fileURLToPath(new URL("../../../../scripts/build-wasm.mjs", import.meta.url));
      const { assemble, moduleSource } = await import(script);
      const bytes = await assemble(fileURLToPath(new URL(`./${name}.wat`, import.meta.url)));
      const committed = readFileSync(fileURLToPath(new URL(`./${name}.wasm.ts`, import.meta.url)), "utf8");
      expect(committed).toBe(moduleSource(name, bytes));
    });
  }
});

describe("linear with a half-width weight (forward)", () => {
  // n spans several widening tiles at k = 40 (16 rows minimum, 3276 at this k), and k % 16 ≠ 0
  // exercises the GEMV's scalar tail.
  const n = 7000;
  const k = 40;
  const g = new Generator(2);
  const w32 = Tensor.randn([n, k], { generator: g }).mul(0.1);
  const bias = Tensor.randn([n], { generator: g });
  for (const dtype of ["bfloat16", "float16"] as const) {
    for (const rows of [1, 2, 3, 37]) {
      it(`${dtype}, ${rows} row(s): equals the float32 product of the widened weight`, () => {
        const half = w32.cast(dtype);
        const wide = half.cast("float32");
        const x = Tensor.randn([rows, k], { generator: new Generator(rows) });
        for (const b of [null, bias]) {
          const want = noGrad(() => linear(x, wide, b)).dataSync() as Float32Array;
          const got = noGrad(() => linear(x, half, b)).dataSync() as Float32Array;
          let err = 0;
          let scale = 0;
          for (let i = 0; i < want.length; i++) {
            err = Math.max(err, Math.abs(got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
          }
          expect(err / scale).toBeLessThan(1e-6);
        }
        // The weight moved into the kernel's memory keeps its values.
        expect(Array.from(half.dataSync() as Uint16Array)).toEqual(
          Array.from(w32.cast(dtype).dataSync() as Uint16Array),
        );
      });
    }
  }

  it("a bfloat16 weight of a megabyte or more is born in the kernels' memory and grows there", () => {
    const big = Tensor.randn([16384, 40], { generator: new Generator(4) }).cast("bfloat16");
    const bits = Array.from(big.dataSync() as Uint16Array);
    const x = Tensor.randn([1, 40], { generator: new Generator(5) });
    const want = noGrad(() => linear(x, big.cast("float32"))).dataSync() as Float32Array;
    const got = noGrad(() => linear(x, big)).dataSync() as Float32Array;
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    expect(err).toBeLessThan(1e-5);
    expect(Array.from(big.dataSync() as Uint16Array)).toEqual(bits);
  });

  it("records a graph through the widened weight when a gradient is wanted", () => {
    const half = w32.slice(0, 0, 64).cast("bfloat16");
    const x = Tensor.randn([3, k], { generator: new Generator(9) }).requiresGrad_();
    linear(x, half).sum().backward();
    const want = Tensor.ones([3, 64]).matmul(half.cast("float32"));
    expect(Array.from(x.grad!.dataSync() as Float32Array)).toEqual(
      Array.from(want.dataSync() as Float32Array),
    );
  });
});
