import { describe, expect, it } from "vitest";
import { CachingAllocator, type RawDeviceMemory, roundSize } from "./caching-allocator.js";
import { CUDA_ERROR_OUT_OF_MEMORY, CudaError } from "./errors.js";

/** Fake device memory with a capacity, recording every driver call. */
function fakeDevice(capacity = Number.POSITIVE_INFINITY) {
  let next = 0x1000n;
  const live = new Map<bigint, number>();
  const calls: string[] = [];
  const raw: RawDeviceMemory = {
    alloc(bytes) {
      const used = [...live.values()].reduce((a, b) => a + b, 0);
      if (used + bytes > capacity)
        throw new CudaError("cuMemAlloc", CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY");
      const p = next;
      next += BigInt(bytes) + 0x1000n;
      live.set(p, bytes);
      calls.push(`alloc ${bytes}`);
      return p;
    },
    free(p) {
      if (!live.delete(p)) throw new Error("double free in the driver");
      calls.push("free");
    },
  };
  return { raw, live, calls };
}

describe("caching device allocator", () => {
  it("rounds small requests to 512 B and large ones to 2 MiB", () => {
    expect(roundSize(0)).toBe(0);
    expect(roundSize(1)).toBe(512);
    expect(roundSize(513)).toBe(1024);
    expect(roundSize(1 << 20)).toBe(1 << 20);
    expect(roundSize((1 << 20) + 1)).toBe(2 << 20);
    expect(roundSize((2 << 20) + 1)).toBe(4 << 20);
  });

  it("reuses a freed block of the same bucket without calling the driver", () => {
    const dev = fakeDevice();
    const a = new CachingAllocator(dev.raw);
    const b1 = a.alloc(1000);
    a.release(b1);
    const b2 = a.alloc(900); // same 1024-byte bucket
    expect(b2.ptr).toBe(b1.ptr);
    expect(dev.calls).toEqual(["alloc 1024"]);
    const s = a.stats();
    expect(s.requests).toBe(2);
    expect(s.cacheHits).toBe(1);
    expect(s.allocatedBytes).toBe(1024);
    expect(s.reservedBytes).toBe(1024);
    expect(s.cachedBytes).toBe(0);
  });

  it("keeps live blocks distinct and tracks the peak", () => {
    const a = new CachingAllocator(fakeDevice().raw);
    const x = a.alloc(4096);
    const y = a.alloc(4096);
    expect(x.ptr).not.toBe(y.ptr);
    a.release(x);
    a.release(y);
    const s = a.stats();
    expect(s.peakAllocatedBytes).toBe(8192);
    expect(s.allocatedBytes).toBe(0);
    expect(s.cachedBytes).toBe(8192);
  });

  it("emptyCache returns cached blocks to the driver but leaves live ones", () => {
    const dev = fakeDevice();
    const a = new CachingAllocator(dev.raw);
    const live = a.alloc(100);
    a.release(a.alloc(3 << 20));
    a.emptyCache();
    expect(dev.live.size).toBe(1);
    expect(dev.live.has(live.ptr)).toBe(true);
    expect(a.stats()).toMatchObject({ cachedBytes: 0, reservedBytes: 512, driverFrees: 1 });
  });

  it("on out-of-memory frees the cache and retries once", () => {
    const dev = fakeDevice(4 << 20);
    const a = new CachingAllocator(dev.raw);
    a.release(a.alloc(2 << 20)); // 2 MiB parked in the cache
    // 3 MiB rounds to 4 MiB: it fits only once the cached block is given back.
    const b = a.alloc(3 << 20);
    expect(b.size).toBe(4 << 20);
    expect(dev.calls).toEqual(["alloc 2097152", "free", "alloc 4194304"]);
    expect(a.stats()).toMatchObject({ cachedBytes: 0, reservedBytes: 4 << 20, driverFrees: 1 });
  });

  it("out of memory with nothing cached is the driver's error", () => {
    const a = new CachingAllocator(fakeDevice(1 << 20).raw);
    expect(() => a.alloc(2 << 20)).toThrow(/CUDA_ERROR_OUT_OF_MEMORY/);
  });

  it("refuses a double free and a foreign block", () => {
    const a = new CachingAllocator(fakeDevice().raw);
    const b = a.alloc(10);
    a.release(b);
    expect(() => a.release(b)).toThrow(/not allocated/);
    expect(() => a.release({ ptr: 0xdeadn, size: 512 })).toThrow(/not allocated/);
  });

  it("zero-byte requests never reach the driver", () => {
    const dev = fakeDevice();
    const a = new CachingAllocator(dev.raw);
    const z = a.alloc(0);
    a.release(z);
    expect(z.ptr).toBe(0n);
    expect(dev.calls).toEqual([]);
  });
});
