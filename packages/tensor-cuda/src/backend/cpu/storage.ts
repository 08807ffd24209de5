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
  private readonly owned: boolean;
  private disposed = false;
  constructor(
    readonly dtype: DType,
    public data: TypedArray,
  ) {
    checkArrayMatches(data, dtype);
    this.owned = hostPool.claim(data);
  }
  get length(): number {
    return this.data.length;
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
