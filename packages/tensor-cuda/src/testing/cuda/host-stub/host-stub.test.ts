import { describe, expect, it } from "vitest";
import { Cublas } from "../../../backend/cuda/cublas.js";
import { CudaDriver } from "../../../backend/cuda/driver.js";
import { createCudaBackend } from "../../../backend/cuda/index.js";
import { UNARY_CODES } from "../../../backend/cuda/ops/elementwise/elementwise.abi.js";
import { buildCudaStub, stubCompiler, stubCompilerAvailable, stubCounters } from "./build-stub.js";

/*
 * The real koffi bindings of driver.ts and cublas.ts against cuda_stub.c, a stand-in libcuda /
 * libcublas with host memory behind device pointers: signatures, out-parameters, copies both
 * ways, the launcher's packed parameter array and grid, and the GEMM call are exercised without
 * a GPU (kernels do not run: results of launches are not checked here).
 */

describe.skipIf(!stubCompilerAvailable())("the CUDA driver and cuBLAS bindings, on a host stub", () => {
  const path = stubCompilerAvailable() ? buildCudaStub() : "";
  const make = () =>
    createCudaBackend({
      device: new CudaDriver(path),
      blas: new Cublas(path),
      compiler: stubCompiler,
      cacheDir: null,
    });

  it("opens the device and reads its attributes through the driver API", () => {
    const b = make();
    expect(b.context.info).toMatchObject({
      name: "host stub (no GPU)",
      computeCapability: 90,
      multiprocessors: 132,
      driverVersion: 13000,
    });
  });

  it("copies to the device and back, and fills", async () => {
    const b = make();
    const data = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 7);
    const s = b.fromArray(data, "float32");
    expect(Array.from((await b.read(s)) as Float32Array)).toEqual(Array.from(data));
    const ints = b.fromArray(Int32Array.of(1, -2, 3), "int32");
    expect(Array.from((await b.read(ints)) as Int32Array)).toEqual([1, -2, 3]);
    const z = b.zeros("float64", 33);
    expect(Array.from((await b.read(z)) as Float64Array)).toEqual(new Array(33).fill(0));
  });

  it("launches with the packed parameters and grid the launcher computed", () => {
    const b = make();
    const stub = stubCounters(path);
    const x = b.fromArray(new Float32Array(1000), "float32");
    const before = stub.launches();
    b.unary("exp", x);
    expect(stub.launches()).toBe(before + 1);
    // unary_f32(op i32, x, y, n i64)
    expect(stub.lastArg(0) & 0xffffffffn).toBe(BigInt(UNARY_CODES.exp));
    expect(stub.lastArg(1)).toBe(b.context.ptr(x));
    expect(stub.lastArg(3)).toBe(1000n);
    expect(stub.lastGridX()).toBe(b.context.grid1d(1000)[0]);
    expect(stub.lastBlockX()).toBe(256);
  });

  it("calls cublasGemmStridedBatchedEx for a matmul", () => {
    const b = make();
    const stub = stubCounters(path);
    const a = b.fromArray(new Float32Array(6), "float32");
    const before = stub.gemms();
    b.matmul(
      a,
      a,
      { batch: 1, m: 2, k: 3, n: 2, transA: false, transB: true, aBatched: true, bBatched: true },
      null,
    );
    expect(stub.gemms()).toBe(before + 1);
  });
});
