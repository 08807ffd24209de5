import { beforeAll, describe, expect, it } from "vitest";
import { registerBackend, Tensor } from "../../index.js";
import { describeDeviceSuite } from "../../testing/cuda/device-suite.js";
import { buildHostKernels, hostCompilerAvailable } from "../../testing/cuda/host-emulation/build.js";
import { HostKernelDevice } from "../../testing/cuda/host-emulation/host-device.js";
import { type CudaBackend, createCudaBackend } from "./index.js";
import { EmulatedBlas } from "./ops/matmul/matmul.emulation.js";

/*
 * The CUDA C kernels themselves, compiled for the CPU with g++ (testing/cuda/host-emulation/:
 * shim.h runs each GPU thread as a fiber, with real barriers and warp shuffles), behind the real
 * backend host code: every parity case against the CPU backend and the float64 finite-difference
 * checks. This is the closest to a GPU run that CI can do; cuda-device.test.ts is the real thing.
 */

const available = hostCompilerAvailable();
if (!available) console.info("cuda-host-kernels tests skipped: no g++ to compile the kernels for the CPU");

let device: HostKernelDevice;
let backend: CudaBackend;

describe.skipIf(!available)("CUDA kernels run on the CPU", () => {
  beforeAll(() => {
    device = new HostKernelDevice(buildHostKernels());
    backend = createCudaBackend({
      device,
      compiler: {
        version: "host",
        compile: (r) => ({ kind: "cubin", image: new TextEncoder().encode(r.name), log: "" }),
      },
      blas: new EmulatedBlas(device),
      cacheDir: null,
    });
    registerBackend("cuda", backend);
  }, 600_000);

  describeDeviceSuite("kernels on the CPU");

  it("reductions and softmax over rows longer than a block, and many rows", async () => {
    const x = Tensor.randn([3, 5000]);
    const y = Tensor.randn([700, 33]);
    const cases: [Tensor, Tensor][] = [
      [x.sum(1), x.to("cuda").sum(1)],
      [x.max(1), x.to("cuda").max(1)],
      [x.argmin(1), x.to("cuda").argmin(1)],
      [x.softmax(-1), x.to("cuda").softmax(-1)],
      [y.sum(0), y.to("cuda").sum(0)],
      [y.logSoftmax(-1), y.to("cuda").logSoftmax(-1)],
    ];
    for (const [want, got] of cases) {
      const a = (await got.data()) as Float32Array;
      const b = want.dataSync() as Float32Array;
      for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
    }
  });

  it("an out-of-range gather index is flagged by the kernel and raised at the read", async () => {
    const x = Tensor.zeros([1, 3], { device: "cuda" });
    const idx = Tensor.from(Int32Array.of(0, -4), [1, 2], { dtype: "int32" }).to("cuda");
    await expect(x.gather(1, idx).data()).rejects.toThrow(
      /gather: index -4 is out of range for a dimension of size 3/,
    );
  });
});
