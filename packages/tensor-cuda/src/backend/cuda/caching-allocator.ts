import { CUDA_ERROR_OUT_OF_MEMORY, CudaError } from "./errors.js";

/*
 * A caching device allocator (PyTorch's idea, simplified): cuMemAlloc/cuMemFree are slow and
 * cuMemFree synchronises the device, so freed blocks go to a free list keyed by their rounded
 * size and are handed out again for the next request of that size. A training loop asks for the
 * same sizes every step, so after the first step it allocates nothing from the driver.
 */

/** The driver calls the allocator sits on; tests pass a fake. */
export interface RawDeviceMemory {
  alloc(bytes: number): bigint;
  free(ptr: bigint): void;
}

export interface DeviceBlock {
  readonly ptr: bigint;
  /** Rounded size actually reserved. */
  readonly size: number;
}

export interface MemoryStats {
  /** Bytes in blocks handed out and not yet freed. */
  allocatedBytes: number;
  peakAllocatedBytes: number;
  /** Bytes held from the driver: allocated plus cached. */
  reservedBytes: number;
  cachedBytes: number;
  /** Requests served, and how many of them came from the cache. */
  requests: number;
  cacheHits: number;
  /** Calls into the driver. */
  driverAllocs: number;
  driverFrees: number;
}

const SMALL_LIMIT = 1 << 20;
const SMALL_ROUND = 512;
const LARGE_ROUND = 2 << 20;

/** Requests up to 1 MiB round up to 512 B, larger ones to 2 MiB, so near sizes share a bucket. */
export function roundSize(bytes: number): number {
  if (bytes <= 0) return 0;
  const unit = bytes <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
  return Math.ceil(bytes / unit) * unit;
}

export class CachingAllocator {
  private readonly free = new Map<number, bigint[]>();
  private readonly live = new Map<bigint, number>();
  private cached = 0;
  private readonly s: MemoryStats = {
    allocatedBytes: 0,
    peakAllocatedBytes: 0,
    reservedBytes: 0,
    cachedBytes: 0,
    requests: 0,
    cacheHits: 0,
    driverAllocs: 0,
    driverFrees: 0,
  };

  constructor(private readonly raw: RawDeviceMemory) {}

  /** A block of at least `bytes`; size 0 gets the null pointer and touches nothing. */
  alloc(bytes: number): DeviceBlock {
    const size = roundSize(bytes);
    if (size === 0) return { ptr: 0n, size: 0 };
    this.s.requests++;
    let ptr = this.free.get(size)?.pop();
    if (ptr !== undefined) {
      this.s.cacheHits++;
      this.cached -= size;
    } else {
      ptr = this.driverAlloc(size);
    }
    this.live.set(ptr, size);
    this.s.allocatedBytes += size;
    if (this.s.allocatedBytes > this.s.peakAllocatedBytes) this.s.peakAllocatedBytes = this.s.allocatedBytes;
    return { ptr, size };
  }

  /** Returns a block to the cache. Freeing the same block twice is an error, not a corruption. */
  release(block: DeviceBlock): void {
    if (block.size === 0) return;
    const size = this.live.get(block.ptr);
    if (size === undefined)
      throw new Error(`CUDA allocator: block 0x${block.ptr.toString(16)} is not allocated`);
    this.live.delete(block.ptr);
    this.s.allocatedBytes -= size;
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    list.push(block.ptr);
    this.cached += size;
  }

  /** Gives every cached block back to the driver (PyTorch's torch.cuda.empty_cache()). */
  emptyCache(): void {
    for (const [size, list] of this.free) {
      for (const ptr of list) {
        this.raw.free(ptr);
        this.s.driverFrees++;
        this.s.reservedBytes -= size;
      }
    }
    this.free.clear();
    this.cached = 0;
  }

  stats(): MemoryStats {
    return { ...this.s, cachedBytes: this.cached };
  }

  private driverAlloc(size: number): bigint {
    let ptr: bigint;
    try {
      ptr = this.raw.alloc(size);
    } catch (e) {
      if (!(e instanceof CudaError && e.code === CUDA_ERROR_OUT_OF_MEMORY) || this.cached === 0) throw e;
      // Out of memory with blocks parked in the cache: give them back and try once more.
      this.emptyCache();
      ptr = this.raw.alloc(size);
    }
    this.s.driverAllocs++;
    this.s.reservedBytes += size;
    return ptr;
  }
}
