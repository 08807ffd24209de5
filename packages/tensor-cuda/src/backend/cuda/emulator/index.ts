import { type CudaBackend, createCudaBackend } from "../index.js";
import { EmulatedBlas } from "./emulated-blas.js";
import { EmulatedDevice } from "./emulated-device.js";

/**
 * A CUDA backend whose device is emulated on the CPU (see emulated-device.ts): for testing code
 * that runs on "cuda" (no synchronous reads, device placement, memory release) without a GPU.
 * Slow: kernels are JavaScript models, and cuBLAS a plain loop.
 */
export function createEmulatedCudaBackend(): CudaBackend & { emulator: EmulatedDevice } {
  const device = new EmulatedDevice();
  const backend = createCudaBackend({
    device,
    compiler: {
      version: "emulator",
      compile: (req) => ({ kind: "cubin", image: new TextEncoder().encode(req.name), log: "" }),
    },
    blas: new EmulatedBlas(device.memory),
    cacheDir: null,
  });
  return Object.assign(backend, { emulator: device });
}
