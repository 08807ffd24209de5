import { CpuStorage } from "../backend/cpu/storage.js";
import { type DType, float16BitsToFloat32 } from "../dtype.js";
import { numel } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { TensorReader } from "./reader.js";

/*
 * Loading a checkpoint without a second copy of it: a tensor whose stored dtype is the target's
 * is read straight into the target's memory, and a bfloat16/float16 tensor bound for a float32
 * target is read into one scratch buffer (reused for every tensor) and widened into the target.
 * Peak memory is the model plus its largest tensor at file width, not plus a float32 copy of
 * each tensor waiting for the collector.
 */

/** A growable byte buffer reused across reads; drop it when the load is done. */
export class ReadScratch {
  private buf = new Uint8Array(0);
  take(bytes: number): Uint8Array {
    if (this.buf.byteLength < bytes) this.buf = new Uint8Array(bytes);
    return this.buf.subarray(0, bytes);
  }
}

function widenInto(src: Uint8Array, from: DType, dst: Float32Array): void {
  const n = dst.length;
  const half = new Uint16Array(src.buffer, src.byteOffset, n);
  if (from === "bfloat16") {
    const out = new Uint32Array(dst.buffer, dst.byteOffset, n);
    for (let i = 0; i < n; i++) out[i] = half[i] << 16;
    return;
  }
  for (let i = 0; i < n; i++) dst[i] = float16BitsToFloat32(half[i]);
}

/**
 * Reads checkpoint tensor `name` into `target` in place when that needs no intermediate tensor
 * (a CPU target of the stored dtype, or float32 from bfloat16/float16); returns false otherwise,
 * and the caller takes the general path (read, convert, assign).
 */
export async function readIntoTensor(
  reader: TensorReader,
  name: string,
  target: Tensor,
  scratch: ReadScratch,
): Promise<boolean> {
  const info = reader.info(name);
  if (target.device !== "cpu" || numel(info.shape) !== target.size) return false;
  const storage = target.storage;
  if (!(storage instanceof CpuStorage)) return false;
  const data = storage.data;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (info.dtype === target.dtype) {
    await reader.readInto(name, bytes);
    return true;
  }
  if (target.dtype === "float32" && (info.dtype === "bfloat16" || info.dtype === "float16")) {
    const src = scratch.take(info.byteLength);
    await reader.readInto(name, src);
    widenInto(src, info.dtype, data as Float32Array);
    return true;
  }
  return false;
}
