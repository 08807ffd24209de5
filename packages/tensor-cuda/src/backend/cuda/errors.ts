import { DeviceUnavailableError } from "../registry.js";

/** CUDA cannot be used on this machine; the message lists what was looked for and where. */
export class CudaUnavailableError extends DeviceUnavailableError {
  override name = "CudaUnavailableError";
}

/** A CUDA library call failed; `code` is its status, `call` the function and what it was doing. */
export class CudaError extends Error {
  override name = "CudaError";
  constructor(
    readonly call: string,
    readonly code: number,
    readonly codeName: string,
    detail = "",
  ) {
    super(`${call} failed: ${codeName} (${code})${detail ? `: ${detail}` : ""}`);
  }
}

/** CUDA_ERROR_OUT_OF_MEMORY: the caching allocator frees its cache and retries once on it. */
export const CUDA_ERROR_OUT_OF_MEMORY = 2;
