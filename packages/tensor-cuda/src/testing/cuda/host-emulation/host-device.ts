import type { DeviceApi, DeviceInfo } from "../../../backend/cuda/driver.js";
import { kernelSpec } from "../../../backend/cuda/kernel-abi.js";
import { type Koffi, loadKoffi } from "../../../backend/cuda/koffi.js";
import type { GemmMemory } from "../../../backend/cuda/ops/matmul/matmul.emulation.js";
import { type KernelArg, ParamPacker } from "../../../backend/cuda/params.js";
import { allocArray, byteSize, type DType, type TypedArray } from "../../../dtype.js";

/*
 * A DeviceApi whose kernels are the real CUDA C sources compiled for the CPU (build.ts: g++ with
 * shim.h's fibers standing in for GPU threads). Memory is malloc'd host memory at real
 * addresses, arguments go through the same ParamPacker as cuLaunchKernel's, so everything but
 * the hardware is the production path. Fresh allocations are filled with 0xff bytes (NaN, −1)
 * so that a kernel reading memory nobody wrote shows up in the results.
 */

type Fn = (...args: any[]) => any;

export interface HostLaunch {
  name: string;
  grid: readonly number[];
  block: readonly number[];
}

export class HostKernelDevice implements DeviceApi, GemmMemory {
  readonly path: string;
  readonly launches: HostLaunch[] = [];
  private readonly k: Koffi;
  private readonly packer = new ParamPacker();
  private readonly live = new Map<bigint, number>();
  private readonly c: Record<string, Fn> = {};
  private readonly emuLaunch: Fn;
  private readonly emuLastError: Fn;

  constructor(libraryPath: string) {
    this.path = libraryPath;
    this.k = loadKoffi();
    const libc = this.k.load("libc.so.6");
    this.c.malloc = libc.func("uint64_t malloc(size_t n)");
    this.c.free = libc.func("void free(uint64_t p)");
    this.c.memsetD = libc.func("uint64_t memset(uint64_t p, int v, size_t n)");
    this.c.toDevice = libc.func("uint64_t memcpy(uint64_t dst, void *src, size_t n)");
    this.c.toHost = libc.func("uint64_t memcpy(void *dst, uint64_t src, size_t n)");
    this.c.onDevice = libc.func("uint64_t memcpy(uint64_t dst, uint64_t src, size_t n)");
    const lib = this.k.load(libraryPath);
    this.emuLaunch = lib.func(
      "int emu_launch(const char *name, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, void *params)",
    );
    this.emuLastError = lib.func("const char *emu_last_error()");
  }

  open(ordinal: number): DeviceInfo {
    return {
      ordinal,
      name: "CUDA C on the CPU",
      computeCapability: 90,
      multiprocessors: 2,
      driverVersion: 0,
    };
  }

  alloc(bytes: number): bigint {
    const p = BigInt(this.c.malloc(bytes));
    if (p === 0n) throw new Error(`host malloc of ${bytes} bytes failed`);
    this.c.memsetD(p, 0xff, bytes);
    this.live.set(p, bytes);
    return p;
  }

  free(ptr: bigint): void {
    if (!this.live.delete(ptr)) throw new Error(`cuMemFree of 0x${ptr.toString(16)}: not allocated`);
    this.c.free(ptr);
  }

  memInfo() {
    return { free: 1 << 30, total: 1 << 30 };
  }

  /** Throws unless [ptr, ptr + bytes) lies inside one live allocation. */
  private check(ptr: bigint, bytes: number, what: string): void {
    for (const [base, size] of this.live) {
      if (ptr >= base && ptr + BigInt(bytes) <= base + BigInt(size)) return;
    }
    throw new Error(`${what}: 0x${ptr.toString(16)} + ${bytes} bytes is not inside a live allocation`);
  }

  copyToDevice(dst: bigint, src: ArrayBufferView, bytes: number): void {
    if (bytes === 0) return;
    this.check(dst, bytes, "HtoD");
    this.c.toDevice(dst, src, bytes);
  }

  copyToHost(dst: ArrayBufferView, src: bigint, bytes: number): void {
    if (bytes === 0) return;
    this.check(src, bytes, "DtoH");
    this.c.toHost(dst, src, bytes);
  }

  copyOnDevice(dst: bigint, src: bigint, bytes: number): void {
    if (bytes === 0) return;
    this.check(dst, bytes, "DtoD destination");
    this.check(src, bytes, "DtoD source");
    this.c.onDevice(dst, src, bytes);
  }

  memset(dst: bigint, value: number, bytes: number): void {
    if (bytes === 0) return;
    this.check(dst, bytes, "memset");
    this.c.memsetD(dst, value, bytes);
  }

  synchronize(): void {}

  loadModule(_image: Uint8Array, what: string): unknown {
    return { module: what };
  }

  getFunction(_module: unknown, name: string): unknown {
    kernelSpec(name);
    return { name };
  }

  launch(
    _fn: unknown,
    name: string,
    grid: readonly [number, number, number],
    block: readonly [number, number, number],
    args: readonly KernelArg[],
  ): void {
    const spec = kernelSpec(name);
    spec.params.forEach((kind, i) => {
      const a = args[i];
      if (kind === "ptr" && typeof a === "bigint" && a !== 0n) this.check(a, 1, `${name} parameter ${i}`);
    });
    const params = this.packer.pack(name, spec, args);
    this.launches.push({ name, grid, block });
    const rc = this.emuLaunch(name, grid[0], grid[1], grid[2], block[0], block[1], block[2], params);
    if (rc !== 0)
      throw new Error(`${name} failed on the CPU harness: ${this.emuLastError() ?? `code ${rc}`}`);
  }

  // ---- GemmMemory, for the emulated cuBLAS ----

  array(ptr: bigint, dtype: DType, length = 0): TypedArray {
    const out = allocArray(dtype, length);
    this.copyToHost(out, ptr, length * byteSize(dtype));
    return out;
  }

  write(ptr: bigint, data: TypedArray): void {
    this.copyToDevice(ptr, data, data.byteLength);
  }
}
