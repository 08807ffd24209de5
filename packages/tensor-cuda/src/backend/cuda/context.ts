import { allocArray, byteSize, checkArrayMatches, type DType, type TypedArray } from "../../dtype.js";
import type { Storage } from "../backend.js";
import { CachingAllocator, type MemoryStats } from "./caching-allocator.js";
import { CachedCompiler, defaultCacheDir } from "./compile-cache.js";
import { Cublas, type RowMajorGemm } from "./cublas.js";
import { CudaDriver, type DeviceApi, type DeviceInfo } from "./driver.js";
import { CudaUnavailableError } from "./errors.js";
import { ERROR_OPS, kernelSpec } from "./kernel-abi.js";
import { kernelSource } from "./kernel-sources.js";
import { type CudaLibrary, loadFirst, missingLibraryMessage } from "./libraries.js";
import { type CompiledImage, type KernelCompiler, Nvrtc } from "./nvrtc.js";
import type { KernelArg } from "./params.js";
import { CudaStorage, cudaStorage } from "./storage.js";

/*
 * One CUDA device in use: the driver, the caching allocator, NVRTC (behind the disk cache),
 * cuBLAS, the compiled modules, and the device error word that index kernels report
 * out-of-range indices through (checked whenever results are read back).
 */

export const BLOCK = 256;
const COMPILE_OPTIONS = ["-std=c++17"];

function load<T>(lib: CudaLibrary, make: (path: string) => T): T {
  const r = loadFirst(lib, make);
  if ("failures" in r) throw new CudaUnavailableError(missingLibraryMessage(lib, r.failures));
  return r.value;
}

/** Replacements for the real libraries (the emulator tests use them). */
export interface CudaContextOptions {
  ordinal?: number;
  device?: DeviceApi;
  compiler?: KernelCompiler;
  blas?: GemmApi;
  /** Disk cache of compiled kernels; null disables it. */
  cacheDir?: string | null;
}

export interface GemmApi {
  gemm(g: RowMajorGemm): void;
}

export class CudaContext {
  readonly driver: DeviceApi;
  readonly info: DeviceInfo;
  readonly allocator: CachingAllocator;
  readonly compiler: CachedCompiler;
  private blasHandle: GemmApi | null;
  private readonly modules = new Map<string, unknown>();
  private readonly functions = new Map<string, unknown>();
  private readonly errorWord: bigint;
  /** fp32 matmuls on TF32 tensor cores (off by default, as in PyTorch). */
  allowTF32 = process.env.SHRINKRAY_CUDA_TF32 === "1";

  constructor(opts: CudaContextOptions = {}) {
    const ordinal = opts.ordinal ?? Number(process.env.SHRINKRAY_CUDA_DEVICE ?? 0);
    this.driver = opts.device ?? load("driver", (p) => new CudaDriver(p));
    this.blasHandle = opts.blas ?? null;
    try {
      this.info = this.driver.open(ordinal);
    } catch (e) {
      throw new CudaUnavailableError(
        `CUDA is not usable: the driver (${this.driver.path}) loaded but device ${ordinal} did not open: ${(e as Error).message}`,
      );
    }
    const driverMajor = Math.floor(this.info.driverVersion / 1000);
    const arch = this.info.computeCapability;
    const nvrtc = (p: string) => {
      const n = new Nvrtc(p, arch);
      // Code from a newer CUDA than the driver's may not load: prefer an NVRTC the driver covers.
      if (n.major > driverMajor)
        throw new Error(`NVRTC ${n.major}.${n.minor} is newer than the driver's CUDA ${driverMajor}`);
      return n;
    };
    this.compiler = new CachedCompiler(
      opts.compiler ?? load("nvrtc", nvrtc),
      opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir,
    );
    this.allocator = new CachingAllocator({
      alloc: (bytes) => this.driver.alloc(bytes),
      free: (ptr) => this.driver.free(ptr),
    });
    this.errorWord = this.allocator.alloc(16).ptr;
    this.driver.memset(this.errorWord, 0, 16);
  }

  /** cuBLAS loads on the first matmul: element-wise work does not need it. */
  get blas(): GemmApi {
    if (!this.blasHandle) this.blasHandle = load("cublas", (p) => new Cublas(p));
    return this.blasHandle;
  }

  /** Set when a launched kernel could have written the error word: only then does a read check it. */
  private errorWordUnread = false;

  get errorPointer(): bigint {
    this.errorWordUnread = true;
    return this.errorWord;
  }

  // ---- memory ----

  alloc(dtype: DType, length: number): CudaStorage {
    return new CudaStorage(dtype, length, this.allocator.alloc(length * byteSize(dtype)), this.allocator);
  }

  /** Device address of element `elementOffset` of `s`. */
  ptr(s: Storage, elementOffset = 0): bigint {
    return cudaStorage(s).address(elementOffset * byteSize(s.dtype));
  }

  upload(data: TypedArray, dtype: DType): CudaStorage {
    checkArrayMatches(data, dtype);
    const out = this.alloc(dtype, data.length);
    this.driver.copyToDevice(out.address(), data, data.byteLength);
    return out;
  }

  /**
   * A copy of `s` on the host, without blocking the event loop while the GPU finishes its queue:
   * polls a fence (setImmediate at first, then every millisecond), then copies, which no longer
   * waits; a flagged kernel error is raised here.
   */
  async downloadAsync(s: Storage): Promise<TypedArray> {
    // Pinned from the call on: `const p = t.data(); t.dispose(); await p` must still read t.
    const { address, unpin } = cudaStorage(s).pin();
    try {
      const done = this.driver.fence?.();
      if (done) {
        for (let polls = 0; !done(); polls++) {
          await new Promise<void>((resolve) => (polls < 64 ? setImmediate(resolve) : setTimeout(resolve, 1)));
        }
      }
      return this.copyOut(s.dtype, s.length, address);
    } finally {
      unpin();
    }
  }

  /** Copies (the copy waits for the device) to a new host array and raises any error a kernel flagged. */
  private copyOut(dtype: DType, length: number, address: bigint): TypedArray {
    const host = allocArray(dtype, length);
    this.driver.copyToHost(host, address, host.byteLength);
    this.raiseDeviceErrors();
    return host;
  }

  raiseDeviceErrors(): void {
    // Most reads follow only kernels that cannot flag anything: no extra copy for those.
    if (!this.errorWordUnread) return;
    this.errorWordUnread = false;
    const word = new Int32Array(4);
    this.driver.copyToHost(word, this.errorWord, 16);
    if (word[0] === 0) return;
    this.driver.memset(this.errorWord, 0, 16);
    const op = Object.entries(ERROR_OPS).find(([, code]) => code === word[1])?.[0] ?? `kernel ${word[1]}`;
    throw new RangeError(
      `${op}: index ${word[2]} is out of range for a dimension of size ${word[3]} (reported by the CUDA kernel; results computed since are unreliable)`,
    );
  }

  memoryStats(): MemoryStats & { deviceFreeBytes: number; deviceTotalBytes: number } {
    const info = this.driver.memInfo();
    return { ...this.allocator.stats(), deviceFreeBytes: info.free, deviceTotalBytes: info.total };
  }

  // ---- kernels ----

  private module(file: string): unknown {
    let mod = this.modules.get(file);
    if (!mod) {
      const src = kernelSource(file);
      const req = {
        name: file,
        source: src.source,
        headers: src.headers,
        arch: this.info.computeCapability,
        options: COMPILE_OPTIONS,
      };
      const load = (image: CompiledImage) =>
        this.driver.loadModule(image.image, `${file} (${image.kind}, sm_${this.info.computeCapability})`);
      const compiled = this.compiler.compile(req);
      try {
        mod = load(compiled);
      } catch (e) {
        // A cached image the driver refuses (written by another driver, or damaged): drop it
        // and compile afresh once.
        if (!compiled.cached) throw e;
        this.compiler.invalidate(req);
        mod = load(this.compiler.compile(req));
      }
      this.modules.set(file, mod);
    }
    return mod;
  }

  private fn(name: string): unknown {
    let f = this.functions.get(name);
    if (!f) {
      f = this.driver.getFunction(this.module(kernelSpec(name).file), name);
      this.functions.set(name, f);
    }
    return f;
  }

  /** Blocks for a grid-stride kernel over `n` items: enough to fill the device, no more. */
  grid1d(n: number): [number, number, number] {
    const cap = this.info.multiprocessors * 32;
    return [Math.max(1, Math.min(Math.ceil(n / BLOCK), cap)), 1, 1];
  }

  /** Grid for a kernel with one thread per item and heavy, serial work per thread: every SM busy. */
  rowsGrid(items: number, threads: number): [number, number, number] {
    return [Math.max(1, Math.min(Math.ceil(items / threads), this.info.multiprocessors * 16)), 1, 1];
  }

  launch(
    name: string,
    args: readonly KernelArg[],
    grid: readonly [number, number, number],
    block: readonly [number, number, number] = [BLOCK, 1, 1],
  ): void {
    this.driver.launch(this.fn(name), name, grid, block, args);
  }

  /** An element-wise kernel over `n` items (returns without launching when n is 0). */
  launch1d(name: string, n: number, args: readonly KernelArg[]): void {
    if (n > 0) this.launch(name, args, this.grid1d(n));
  }

  /** One warp per row, four warps a block (the attention kernels). */
  launchWarps(name: string, rows: number, args: readonly KernelArg[]): void {
    if (rows <= 0) return;
    const cap = this.info.multiprocessors * 64;
    this.launch(name, args, [Math.max(1, Math.min(Math.ceil(rows / 4), cap)), 1, 1], [128, 1, 1]);
  }

  /** One block per row; `cols` picks the block width (a multiple of 32, at most 256). */
  launchRows(name: string, rows: number, cols: number, args: readonly KernelArg[]): void {
    if (rows <= 0) return;
    const threads = Math.min(BLOCK, Math.max(32, 32 * Math.ceil(cols / 128)));
    this.launch(name, args, [Math.min(rows, 1 << 30), 1, 1], [threads, 1, 1]);
  }
}
