import { buildHostKernels, hostCompilerAvailable } from "../host-emulation/build.js";
import { HostKernelDevice } from "../host-emulation/host-device.js";
import { type CudaBackend, createCudaBackend } from "../index.js";
import { EmulatedBlas } from "./emulated-blas.js";
import { EmulatedDevice } from "./emulated-device.js";

export interface EmulatorOptions {
  /**
   * "models" (default): each kernel is a JavaScript model of its contract — fast, needs nothing.
   * "compiled": the CUDA C kernels themselves, compiled for the CPU with g++ and run with one
   * fiber per GPU thread (host-emulation/) — the real kernel code, slower, needs g++.
   * "auto": "compiled" where g++ runs, else "models".
   */
  kernels?: "models" | "compiled" | "auto";
}

/**
 * A CUDA backend whose device is emulated on the CPU: for testing code that runs on "cuda" (no
 * synchronous reads, device placement, memory release) without a GPU. cuBLAS is a plain loop.
 */
export function createEmulatedCudaBackend(opts: EmulatorOptions = {}): CudaBackend {
  const compiler = {
    version: "emulator",
    compile: (req: { name: string }) => ({
      kind: "cubin" as const,
      image: new TextEncoder().encode(req.name),
      log: "",
    }),
  };
  const kernels = opts.kernels === "auto" ? (hostCompilerAvailable() ? "compiled" : "models") : opts.kernels;
  if (kernels === "compiled") {
    const device = new HostKernelDevice(buildHostKernels());
    return createCudaBackend({ device, compiler, blas: new EmulatedBlas(device), cacheDir: null });
  }
  const device = new EmulatedDevice();
  return createCudaBackend({ device, compiler, blas: new EmulatedBlas(device.memory), cacheDir: null });
}
