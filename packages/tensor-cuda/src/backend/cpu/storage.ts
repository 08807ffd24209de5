import { checkArrayMatches, type DType, type TypedArray } from "../../dtype.js";
import type { Device, Storage } from "../backend.js";
import { hostPool } from "./pool.js";

/**
 * CPU memory is a typed array. One the backend allocated goes back to the pool on dispose, for
 * the next op to reuse; an array the caller handed in is only dropped (the GC frees it).
 */
export class CpuStorage implements Storage {
  readonly device: Device = "cpu";
  refs = 0;
  private owned: boolean;
  private disposed = false;
  constructor(
    readonly dtype: DType,
    public data: TypedArray,
  ) {
    checkArrayMatches(data, dtype);
    this.length = data.length;
    this.owned = hostPool.claim(data);
  }
  /** Fixed at construction: the array may be replaced (adopt) or detached by a growing memory. */
  readonly length: number;
  /**
   * Moves the contents to `data` (same dtype and length, already filled by the caller), e.g. into
   * a WebAssembly memory a kernel reads in place; the old array goes back to the pool if it was ours.
   */
  adopt(data: TypedArray): void {
    checkArrayMatches(data, this.dtype);
    if (data.length !== this.length)
      throw new RangeError(`CpuStorage.adopt: ${data.length} elements for ${this.length}`);
    if (this.owned) hostPool.release(this.data);
    this.owned = false;
    this.data = data;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.owned) hostPool.release(this.data);
  }
}

export function cpu(s: Storage): CpuStorage {
  if (!(s instanceof CpuStorage)) throw new TypeError(`expected CPU storage, got a ${s.device} one`);
  return s;
}

/** Float view of a compute storage; integers and bools are read as numbers too. */
export function nums(s: Storage): Float32Array | Float64Array | Int32Array | Uint8Array {
  const d = cpu(s).data;
  if (d instanceof BigInt64Array || d instanceof Uint16Array || d instanceof Int8Array) {
    throw new TypeError(`dtype ${s.dtype} is storage-only; cast it to float32 (or int32) before computing`);
  }
  return d;
}

/** Index arrays may arrive as int32 or int64; kernels read them as int32. */
export function indices(s: Storage): Int32Array {
  const d = cpu(s).data;
  if (d instanceof Int32Array) return d;
  if (d instanceof BigInt64Array) {
    const out = new Int32Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
    return out;
  }
  if (d instanceof Uint8Array || d instanceof Float32Array || d instanceof Float64Array)
    return Int32Array.from(d);
  throw new TypeError(`index tensors must be int32 or int64, got ${s.dtype}`);
}
