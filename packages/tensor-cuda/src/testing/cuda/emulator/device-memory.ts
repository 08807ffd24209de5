import { allocArray, byteSize, type DType, type TypedArray } from "../../../dtype.js";

/*
 * Host memory posing as device memory for the emulator: allocations live at fake addresses far
 * apart, and every pointer a kernel receives is resolved to (allocation, byte offset), so a
 * pointer outside any live allocation is an error, not silent corruption.
 */

const BASE = 0x7f00_0000_0000n;
const GAP = 1n << 32n;

export class DeviceMemory {
  private readonly blocks = new Map<bigint, Uint8Array>();
  private next = BASE;

  alloc(bytes: number): bigint {
    const p = this.next;
    this.next += GAP;
    this.blocks.set(p, new Uint8Array(new ArrayBuffer(bytes)));
    return p;
  }

  free(ptr: bigint): void {
    if (!this.blocks.delete(ptr))
      throw new Error(`emulated cuMemFree of 0x${ptr.toString(16)}: not allocated`);
  }

  /** The bytes from `ptr` to the end of its allocation. */
  bytes(ptr: bigint, what = "pointer"): Uint8Array {
    const base = BASE + ((ptr - BASE) / GAP) * GAP;
    const block = this.blocks.get(base);
    const off = Number(ptr - base);
    if (!block || off > block.length) {
      throw new Error(`emulated device: ${what} 0x${ptr.toString(16)} is not inside a live allocation`);
    }
    return block.subarray(off);
  }

  /** A typed array of `dtype` over `length` elements at `ptr` (all the rest when omitted). */
  array(ptr: bigint, dtype: DType, length?: number, what?: string): TypedArray {
    const b = this.bytes(ptr, what);
    const size = byteSize(dtype);
    const n = length ?? Math.floor(b.length / size);
    if (n * size > b.length) {
      throw new Error(
        `emulated device: ${what ?? "pointer"} reads ${n} ${dtype} past the end of its allocation`,
      );
    }
    const Ctor = allocArray(dtype, 0).constructor as new (
      buf: ArrayBufferLike,
      off: number,
      n: number,
    ) => TypedArray;
    if (b.byteOffset % size !== 0)
      throw new Error(`emulated device: ${what ?? "pointer"} misaligned for ${dtype}`);
    return new Ctor(b.buffer, b.byteOffset, n);
  }
}
