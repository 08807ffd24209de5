import { byteSize, type DType, type TypedArray } from "../../dtype.js";
import { releaseFreedHostMemory } from "./allocator.js";
import { wasmHalfArray } from "./wasm/half-matrix.js";

/*
 * Storage reuse for CPU tensors. JavaScript frees a typed array only when the collector finds it
 * unreachable, which under a forward pass is seconds and gigabytes late: every op allocates a
 * fresh array, old ones pile up, and each new one costs page faults on first touch (the issue
 * measured 11M minor faults and 87 s of system time on one Qwen2.5-0.5B prefill). PyTorch frees
 * at the last reference. Here, `dispose()` (and so `tidy()`) hands a storage's buffer back to
 * this pool, and the next allocation of the same size class takes it: the working set of a
 * forward is one block's activations, reused block after block.
 *
 * Only buffers this pool handed out come back to it, and only through the one storage that
 * claimed them: an array a caller passed in (Tensor.from) is never recycled under them.
 */

/** Below this a buffer is V8's business: small arrays are cheap and freed quickly by the young GC. */
const MIN_POOLED_BYTES = 64 * 1024;
/** bfloat16 arrays from this size on live in WebAssembly memories (see alloc). */
const WASM_HALF_MIN_BYTES = 1024 * 1024;
/** Size classes per power of two: at most 12.5% of a buffer is slack. */
const CLASSES_PER_OCTAVE = 8;

function classBytes(bytes: number): number {
  const octave = 2 ** Math.floor(Math.log2(bytes));
  const step = Math.max(8, octave / CLASSES_PER_OCTAVE);
  return Math.ceil(bytes / step) * step;
}

function defaultCapBytes(): number {
  const mb = Number(process.env.SHRINKRAY_POOL_MB);
  if (Number.isFinite(mb) && mb >= 0) return mb * 1024 * 1024;
  return 2 * 1024 ** 3;
}

type ArrayCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;

function ctorOf(dtype: DType): ArrayCtor {
  switch (dtype) {
    case "float32":
      return Float32Array as unknown as ArrayCtor;
    case "float64":
      return Float64Array as unknown as ArrayCtor;
    case "float16":
    case "bfloat16":
      return Uint16Array as unknown as ArrayCtor;
    case "int32":
      return Int32Array as unknown as ArrayCtor;
    case "int64":
      return BigInt64Array as unknown as ArrayCtor;
    case "int8":
      return Int8Array as unknown as ArrayCtor;
    case "uint8":
    case "bool":
      return Uint8Array as unknown as ArrayCtor;
  }
}

/** A typed array of its own (V8 allocates small ones in one step, faster than buffer + view). */
function small(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "bool":
    case "uint8":
      return new Uint8Array(n);
    case "float16":
    case "bfloat16":
      return new Uint16Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "int8":
      return new Int8Array(n);
  }
}

export interface HostPoolStats {
  /** Allocations served from a returned buffer. */
  hits: number;
  /** Allocations that needed a new buffer (pooled size classes only). */
  misses: number;
  /** Bytes held in free lists right now. */
  freeBytes: number;
  /** Free-list cap; returns beyond it are left to the garbage collector. */
  capBytes: number;
}

class HostPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Handed out and not yet claimed by a storage. */
  private readonly unclaimed = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;
  private hits = 0;
  private misses = 0;
  capBytes = defaultCapBytes();

  /**
   * An array of `n` elements of `dtype`. `zeroed` false leaves whatever a recycled buffer held:
   * for outputs a kernel overwrites entirely.
   */
  alloc(dtype: DType, n: number, zeroed: boolean): TypedArray {
    const bytes = n * byteSize(dtype);
    if (bytes < MIN_POOLED_BYTES) return small(dtype, n);
    // Large bfloat16 arrays are matrices kept at a checkpoint's width: born where the WebAssembly
    // kernels read them (wasm/half-matrix.ts), and freed by the collector, not pooled.
    if (dtype === "bfloat16" && bytes >= WASM_HALF_MIN_BYTES) return wasmHalfArray(n);
    const Ctor = ctorOf(dtype);
    const size = classBytes(bytes);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.freeBytes -= size;
      this.hits++;
      const out = new Ctor(buf, 0, n);
      if (zeroed) new Uint8Array(buf, 0, bytes).fill(0);
      this.unclaimed.add(buf);
      return out;
    }
    this.misses++;
    // Fresh memory: calloc'd pages read as zero, and an unzeroed Buffer skips the memset.
    buf = zeroed ? new ArrayBuffer(size) : freshUnzeroed(size);
    this.unclaimed.add(buf);
    return new Ctor(buf, 0, n);
  }

  /** The first storage to wrap a freshly allocated array owns its buffer (true); others don't. */
  claim(a: TypedArray): boolean {
    if (a.byteLength < MIN_POOLED_BYTES || a.byteOffset !== 0) return false;
    return this.unclaimed.delete(a.buffer as ArrayBuffer);
  }

  /** Takes back an owned buffer; nothing may read the array afterwards. */
  release(a: TypedArray): void {
    const buf = a.buffer as ArrayBuffer;
    const size = buf.byteLength;
    if (size < MIN_POOLED_BYTES || size !== classBytes(size)) return;
    if (this.freeBytes + size > this.capBytes) return;
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    list.push(buf);
    this.freeBytes += size;
  }

  /** Drops every free buffer (the collector then returns the memory). */
  trim(): void {
    this.free.clear();
    this.freeBytes = 0;
  }

  stats(): HostPoolStats {
    return { hits: this.hits, misses: this.misses, freeBytes: this.freeBytes, capBytes: this.capBytes };
  }
}

function freshUnzeroed(bytes: number): ArrayBuffer {
  // allocUnsafeSlow never slices Node's shared slab: the Buffer owns its whole ArrayBuffer.
  const b = Buffer.allocUnsafeSlow(bytes);
  return b.buffer as ArrayBuffer;
}

export const hostPool = new HostPool();

/** A zero-filled array of `n` elements, recycled from disposed storages where possible. */
export function hostZeros<T extends TypedArray = Float32Array>(dtype: DType, n: number): T {
  return hostPool.alloc(dtype, n, true) as T;
}

/** An array whose contents are garbage: for outputs a kernel writes element by element. */
export function hostEmpty<T extends TypedArray = Float32Array>(dtype: DType, n: number): T {
  return hostPool.alloc(dtype, n, false) as T;
}

/** Hits, misses and free bytes of the CPU storage pool (for benchmarks and tests). */
export function hostPoolStats(): HostPoolStats {
  return hostPool.stats();
}

/**
 * Returns the pool's free buffers to the garbage collector and glibc's free memory to the system,
 * e.g. after loading a model or between phases of a long job.
 */
export function trimHostPool(): void {
  hostPool.trim();
  releaseFreedHostMemory();
}

/** Gives a scratch array from hostEmpty/hostZeros straight back (it must not be read afterwards). */
export function hostRecycle(a: TypedArray): void {
  if (hostPool.claim(a)) hostPool.release(a);
}
