import type { CudaBackend, MemoryStats } from "./backend/cuda/index.js";
import { getBackend } from "./backend/registry.js";

/*
 * The user-facing handle on the CUDA backend (torch.cuda's counterpart). The backend itself is
 * registered lazily: nothing touches CUDA until a tensor is first put on "cuda". The emulated
 * device for tests without a GPU is `useCudaEmulator` of "@shrinkray/tensor-cuda/testing".
 */

export type { MemoryStats } from "./backend/cuda/index.js";
export { CudaError, CudaUnavailableError } from "./backend/cuda/index.js";

function backend(): CudaBackend {
  return getBackend("cuda") as CudaBackend;
}

/**
 * Why CUDA is not usable (the CudaUnavailableError message), or null when it is. Creating the
 * backend opens the device and compiles a probe kernel; cuBLAS loads lazily, so it is loaded here.
 */
export function unavailableReason(): string | null {
  try {
    void backend().context.blas;
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** True when a CUDA device, its driver, NVRTC and cuBLAS can be used; never throws. */
export function isAvailable(): boolean {
  return unavailableReason() === null;
}

export function deviceInfo() {
  return backend().context.info;
}

/** Caching-allocator figures plus the device's free and total memory. */
export function memoryStats(): MemoryStats & { deviceFreeBytes: number; deviceTotalBytes: number } {
  return backend().context.memoryStats();
}

/** Returns cached (free) device blocks to the driver, as torch.cuda.empty_cache(). */
export function emptyCache(): void {
  backend().context.allocator.emptyCache();
}

/** Waits for every queued kernel (for timing; reads already wait). */
export function synchronize(): void {
  backend().context.driver.synchronize();
}

/**
 * Milliseconds per call of `fn` on the device: `warmup` untimed calls, then `reps` timed ones,
 * the queue drained before and after (launches are asynchronous, so host time alone says little).
 */
export function timeIt(fn: () => void, reps: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  synchronize();
  const t = performance.now();
  for (let i = 0; i < reps; i++) fn();
  synchronize();
  return (performance.now() - t) / reps;
}

/** fp32 matmuls on TF32 tensor cores: faster, ~1e-3 relative error (PyTorch's allow_tf32). */
export function setAllowTF32(allow: boolean): void {
  backend().context.allowTF32 = allow;
}

/** NVRTC compiles and disk-cache hits so far in this process. */
export function compileStats(): { hits: number; compiles: number; cacheDir: string | null } {
  const c = backend().context.compiler;
  return { ...c.stats, cacheDir: c.dir };
}
