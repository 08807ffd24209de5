import { beforeAll, describe, expect, it } from "vitest";
import {
  crossEntropy,
  cuda,
  nn,
  registerBackend,
  rope,
  ropeTables,
  scaledDotProductAttention,
  Tensor,
  tidy,
} from "../../index.js";
import { describeDeviceSuite } from "../../testing/cuda/device-suite.js";
import { EmulatedDevice } from "../../testing/cuda/emulator/emulated-device.js";
import { type CudaBackend, createCudaBackend } from "./index.js";
import type { CompiledImage, KernelCompiler } from "./nvrtc.js";
import { EmulatedBlas } from "./ops/matmul/matmul.emulation.js";

/*
 * The CUDA backend's host code on the emulated device: every parity case must agree with the
 * CPU backend, which checks argument order, views, dtype handling and temporaries everywhere,
 * with no GPU. The CUDA C itself is checked by kernel-abi.test.ts (nvcc) and cuda-device.test.ts.
 */

const compiler: KernelCompiler = {
  version: "emulator",
  compile: (req): CompiledImage => ({ kind: "cubin", image: new TextEncoder().encode(req.name), log: "" }),
};

let device: EmulatedDevice;
let backend: CudaBackend;

beforeAll(() => {
  device = new EmulatedDevice();
  backend = createCudaBackend({ device, compiler, blas: new EmulatedBlas(device.memory), cacheDir: null });
  registerBackend("cuda", backend);
});

describeDeviceSuite("emulated device");

describe("CUDA backend host behaviour", () => {
  it("tensors stay on the device: no readSync, results only through await data()", async () => {
    const t = Tensor.from(Float32Array.of(1, 2, 3), [3]).to("cuda");
    expect(t.device).toBe("cuda");
    expect(() => t.dataSync()).toThrow(/await t.data\(\)/);
    expect(Array.from((await t.mul(2).data()) as Float32Array)).toEqual([2, 4, 6]);
    expect((await t.toAsync("cpu")).device).toBe("cpu");
  });

  it("a read waits for the device without blocking the event loop", async () => {
    const t = Tensor.ones([4]).to("cuda").mul(3);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    const values = t.data();
    expect(ran).toBe(false);
    expect(Array.from((await values) as Float32Array)).toEqual([3, 3, 3, 3]);
    // A synchronous copy inside an async function would resolve before any immediate ran.
    expect(ran).toBe(true);
  });

  it("a read in flight survives the tensor's disposal (tidy around data())", async () => {
    const t = Tensor.ones([3]).to("cuda").mul(2);
    const p = t.data();
    t.dispose();
    expect(Array.from((await p) as Float32Array)).toEqual([2, 2, 2]);
    const x = Tensor.ones([2]).to("cuda");
    expect(Array.from((await tidy(() => x.mul(5).data())) as Float32Array)).toEqual([5, 5]);
    // The pinned block went back to the allocator once the read finished.
    const s = backend.context.allocator.stats();
    const again = Tensor.ones([3]).to("cuda");
    expect(backend.context.allocator.stats().cacheHits).toBeGreaterThan(s.cacheHits);
    again.dispose();
  });

  it("a module goes to the device and back (toAsync), weights and grads intact", async () => {
    const m = new nn.Linear(4, 3);
    const w0 = Array.from(m.weight.dataSync() as Float32Array);
    m.to("cuda");
    expect(m.weight.device).toBe("cuda");
    m.call(Tensor.randn([2, 4]).to("cuda"))
      .sum()
      .backward();
    expect(() => m.to("cpu")).toThrow(/toAsync/);
    await m.toAsync("cpu");
    expect(m.weight.device).toBe("cpu");
    expect(m.weight.grad?.device).toBe("cpu");
    expect(Array.from(m.weight.dataSync() as Float32Array)).toEqual(w0);
  });

  it("an out-of-range cross-entropy target is flagged by the fused kernel", async () => {
    const logits = Tensor.zeros([2, 5], { device: "cuda" });
    const t = Tensor.from(Int32Array.of(1, 99), [2], { dtype: "int32" }).to("cuda");
    await expect(crossEntropy(logits, t).data()).rejects.toThrow(
      /cross_entropy: index 99 is out of range for a dimension of size 5/,
    );
  });

  it("an out-of-range index is raised at the next read, naming the op", async () => {
    const x = Tensor.zeros([2, 3], { device: "cuda" });
    const bad = x.indexSelect(1, Tensor.from(Int32Array.of(0, 3), [2], { dtype: "int32" }).to("cuda"));
    await expect(bad.data()).rejects.toThrow(
      /index_select: index 3 is out of range for a dimension of size 3/,
    );
    // The error word is cleared once reported.
    expect(Array.from((await x.data()) as Float32Array)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("tidy returns device memory to the cache, and a training loop stops allocating", () => {
    const alloc = backend.context.allocator;
    const w = Tensor.randn([64, 64]).to("cuda").requiresGrad_();
    const step = () =>
      tidy(() => {
        const x = Tensor.randn([8, 64]).to("cuda");
        x.matmul(w).relu().sum().backward();
        w.grad?.dispose();
        w.grad = null;
      });
    step();
    const before = alloc.stats();
    for (let i = 0; i < 5; i++) step();
    const after = alloc.stats();
    expect(after.allocatedBytes).toBe(before.allocatedBytes);
    expect(after.driverAllocs).toBe(before.driverAllocs);
    expect(after.cacheHits).toBeGreaterThan(before.cacheHits);
  });

  it("emptyCache gives cached blocks back to the driver", () => {
    tidy(() => Tensor.zeros([1 << 16], { device: "cuda" }).add(1));
    expect(cuda.memoryStats().cachedBytes).toBeGreaterThan(0);
    cuda.emptyCache();
    expect(cuda.memoryStats().cachedBytes).toBe(0);
  });

  it("contiguous copies use the copy engine, not a kernel", () => {
    const x = Tensor.randn([4, 5]).to("cuda");
    const n = device.launches.length;
    x.clone();
    x.reshape([5, 4]).contiguous();
    expect(device.launches.length).toBe(n);
    x.transpose(0, 1).contiguous();
    expect(device.launches.at(-1)?.name).toBe("copy_strided_b4");
  });

  it("storage-only dtypes are refused with the op's name", () => {
    const h = Tensor.zeros([3], { device: "cuda", dtype: "bfloat16" });
    expect(() => backend.unary("exp", h.storage)).toThrow(/exp: dtype bfloat16 is storage-only on cuda/);
    expect(() => backend.softmax(h.storage, { rows: 1, cols: 3, log: false })).toThrow(
      /softmax: expected a float32/,
    );
  });

  it("attention, cross-entropy and RoPE run their fused kernels, with no [T, S] scores", () => {
    const n = device.launches.length;
    const q = Tensor.randn([1, 2, 64, 16]).to("cuda").requiresGrad_();
    const { cos, sin } = ropeTables(64, 16);
    const qr = rope(q, cos.to("cuda"), sin.to("cuda"));
    const before = backend.context.allocator.stats().allocatedBytes;
    const y = scaledDotProductAttention(qr, qr, qr, { causal: true });
    // The output (8 KiB) and the row log-sum-exps are all the forward keeps; composed attention
    // would also hold the 2 × 64 × 64 scores and probabilities (32 KiB each).
    expect(backend.context.allocator.stats().allocatedBytes - before).toBeLessThan(16 * 1024);
    const logits = y.reshape([128, 16]);
    crossEntropy(logits, Tensor.from(new Int32Array(128), [128], { dtype: "int32" }).to("cuda")).backward();
    const names = device.launches.slice(n).map((l) => l.name);
    for (const k of [
      "rope_f32",
      "attention_fwd_f32",
      "attention_bwd_dq_f32",
      "attention_bwd_dkdv_f32",
      "cross_entropy_fwd_f32",
      "cross_entropy_bwd_f32",
    ]) {
      expect(names).toContain(k);
    }
    expect(names).not.toContain("softmax_fwd_f32");
  });

  it("kernels compile once per source file", () => {
    const before = backend.context.compiler.stats.compiles;
    Tensor.randn([3]).to("cuda").exp().add(1);
    expect(backend.context.compiler.stats.compiles).toBe(before);
  });
});
