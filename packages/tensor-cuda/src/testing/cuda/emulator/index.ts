import { type CudaBackend, createCudaBackend } from "../../../backend/cuda/index.js";
import { EmulatedBlas } from "../../../backend/cuda/ops/matmul/matmul.emulation.js";
import { registerBackend } from "../../../backend/registry.js";
import { buildHostKernels, hostCompilerAvailable } from "../host-emulation/build.js";
import { HostKernelDevice } from "../host-emulation/host-device.js";
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

/**
 * Puts "cuda" on an emulated device that runs on the CPU (slow; see EmulatorOptions for the two
 * kinds of kernels: JavaScript models, or the CUDA C compiled for the CPU with g++):
 * code written for the GPU (no synchronous reads, tensors moved to the device, memory released by
 * tidy) can be tested on a machine without one. Call it before any tensor goes to "cuda".
 */
export function useCudaEmulator(opts: EmulatorOptions = {}): void {
  registerBackend("cuda", createEmulatedCudaBackend(opts));
}
