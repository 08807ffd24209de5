/*
 * @shrinkray/tensor-cuda/testing: what tests of code written for "cuda" need on a machine without
 * a GPU. Nothing here is imported by the package's runtime (src/index.ts); a test checks that.
 */
import "../index.js";

export {
  createEmulatedCudaBackend,
  type EmulatorOptions,
  useCudaEmulator,
} from "./cuda/emulator/index.js";
