import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cuda, Tensor, tidy } from "../../index.js";
import { describeDeviceSuite } from "../../testing/cuda/device-suite.js";

/*
 * The CUDA backend on a real GPU: every parity case against the CPU backend, the float64
 * finite-difference gradient checks re-run on the device, and device memory behaviour. Runs only
 * where CUDA is usable; elsewhere it skips and says why (see scripts/gpu/README.md for running it
 * on a GPU machine without Node).
 */

const reason = cuda.unavailableReason();
if (reason) console.info(`cuda-device tests skipped: ${reason.split("\n")[0]}`);

describe.skipIf(reason !== null)("CUDA backend on the GPU", () => {
  describeDeviceSuite("on the GPU");

  it("bf16 and fp16 matmuls agree with float32 to their precision", async () => {
    const a = Tensor.randn([64, 128]).to("cuda");
    const b = Tensor.randn([128, 32]).to("cuda");
    const ref = (await a.matmul(b).data()) as Float32Array;
    for (const dtype of ["bfloat16", "float16"] as const) {
      const got = (await a.cast(dtype).matmul(b.cast(dtype)).cast("float32").data()) as Float32Array;
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
      expect(worst, dtype).toBeLessThan(dtype === "bfloat16" ? 0.5 : 0.08);
    }
  });

  it("a training step in tidy() leaves device memory where it was", () => {
    const w = Tensor.randn([256, 256]).to("cuda").requiresGrad_();
    const step = () =>
      tidy(() => {
        Tensor.randn([32, 256]).to("cuda").matmul(w).gelu().sum().backward();
        w.grad?.dispose();
        w.grad = null;
      });
    step();
    const before = cuda.memoryStats();
    for (let i = 0; i < 10; i++) step();
    const after = cuda.memoryStats();
    expect(after.allocatedBytes).toBe(before.allocatedBytes);
    expect(after.driverAllocs).toBe(before.driverAllocs);
  });

  it("an out-of-range gather index is raised at the next read", async () => {
    const x = Tensor.zeros([2, 3], { device: "cuda" });
    const idx = Tensor.from(Int32Array.of(0, 7), [1, 2], { dtype: "int32" }).to("cuda");
    await expect(x.gather(1, idx).data()).rejects.toThrow(/gather: index 7 is out of range/);
  });

  it("compiled kernels are cached on disk", () => {
    const s = cuda.compileStats();
    expect(s.cacheDir).not.toBeNull();
    const images = readdirSync(s.cacheDir as string).filter((f) => /\.(cubin|ptx)$/.test(f));
    expect(images.some((f) => f.startsWith("elementwise.cu-"))).toBe(true);
  });
});
