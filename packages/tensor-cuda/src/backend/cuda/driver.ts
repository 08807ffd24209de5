import { CudaError } from "./errors.js";
import { kernelSpec } from "./kernel-abi.js";
import { type Koffi, loadKoffi } from "./koffi.js";
import { type KernelArg, ParamPacker } from "./params.js";

/*
 * The CUDA driver API through koffi: just the calls the backend needs. Device pointers are
 * bigints (CUdeviceptr is 64-bit); handles (context, module, function) are koffi externals.
 * Everything runs on the legacy default stream, so kernels, copies and cuBLAS calls are ordered
 * without events, and a device-to-host copy waits for the work before it.
 */

const EVENT_DISABLE_TIMING = 2;
const CUDA_ERROR_NOT_READY = 600;

// CU_DEVICE_ATTRIBUTE_* (cuda.h)
const ATTR_MULTIPROCESSOR_COUNT = 16;
const ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
const ATTR_COMPUTE_CAPABILITY_MINOR = 76;

type Fn = (...args: any[]) => any;

/** The C name in a koffi prototype string, "int cuInit(unsigned int flags)" → "cuInit". */
export function functionName(signature: string): string {
  const m = /([A-Za-z_]\w*)\s*\(/.exec(signature);
  if (!m) throw new Error(`not a C prototype: ${signature}`);
  return m[1];
}

export interface DeviceInfo {
  ordinal: number;
  name: string;
  /** e.g. 90 for sm_90 (H100). */
  computeCapability: number;
  multiprocessors: number;
  driverVersion: number;
}

/** What the backend asks of a device; CudaDriver is the real one, tests pass an emulator. */
export interface DeviceApi {
  readonly path: string;
  open(ordinal: number): DeviceInfo;
  alloc(bytes: number): bigint;
  free(ptr: bigint): void;
  memInfo(): { free: number; total: number };
  copyToDevice(dst: bigint, src: ArrayBufferView, bytes: number): void;
  copyToHost(dst: ArrayBufferView, src: bigint, bytes: number): void;
  copyOnDevice(dst: bigint, src: bigint, bytes: number): void;
  memset(dst: bigint, value: number, bytes: number): void;
  synchronize(): void;
  /**
   * Marks the work queued so far; the returned function tells (without blocking) whether it has
   * finished. Lets a read wait for the GPU without blocking Node's event loop. Optional.
   */
  fence?(): () => boolean;
  loadModule(image: Uint8Array, what: string): unknown;
  getFunction(module: unknown, name: string): unknown;
  launch(
    fn: unknown,
    name: string,
    grid: readonly [number, number, number],
    block: readonly [number, number, number],
    args: readonly KernelArg[],
  ): void;
}

export class CudaDriver implements DeviceApi {
  private readonly packer = new ParamPacker();
  private readonly k: Koffi;
  private readonly f: Record<string, Fn> = {};
  private context: unknown = null;

  constructor(readonly path: string) {
    this.k = loadKoffi();
    const lib = this.k.load(path);
    const decl = (sig: string) => {
      this.f[functionName(sig)] = lib.func(sig);
    };
    decl("int cuInit(unsigned int flags)");
    decl("int cuDriverGetVersion(_Out_ int *version)");
    decl("int cuDeviceGetCount(_Out_ int *count)");
    decl("int cuDeviceGet(_Out_ int *device, int ordinal)");
    decl("int cuDeviceGetName(_Out_ uint8_t *name, int len, int device)");
    decl("int cuDeviceGetAttribute(_Out_ int *value, int attribute, int device)");
    decl("int cuDevicePrimaryCtxRetain(_Out_ void **context, int device)");
    decl("int cuCtxSetCurrent(void *context)");
    decl("int cuCtxSynchronize()");
    decl("int cuMemAlloc_v2(_Out_ uint64_t *dptr, size_t bytes)");
    decl("int cuMemFree_v2(uint64_t dptr)");
    decl("int cuMemGetInfo_v2(_Out_ size_t *free, _Out_ size_t *total)");
    // Plain void* host pointers: koffi passes a typed array's memory itself, no copy.
    decl("int cuMemcpyHtoD_v2(uint64_t dst, void *src, size_t bytes)");
    decl("int cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t bytes)");
    decl("int cuMemcpyDtoD_v2(uint64_t dst, uint64_t src, size_t bytes)");
    decl("int cuMemsetD8_v2(uint64_t dst, uint8_t value, size_t count)");
    decl("int cuModuleLoadData(_Out_ void **module, void *image)");
    decl("int cuModuleGetFunction(_Out_ void **fn, void *module, const char *name)");
    decl(
      "int cuLaunchKernel(void *fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, unsigned int sharedBytes, void *stream, void *params, void *extra)",
    );
    decl("int cuEventCreate(_Out_ void **event, unsigned int flags)");
    decl("int cuEventRecord(void *event, void *stream)");
    decl("int cuEventQuery(void *event)");
    decl("int cuGetErrorName(int error, _Out_ const char **name)");
    decl("int cuGetErrorString(int error, _Out_ const char **text)");
  }

  /** Throws a CudaError naming the call when `code` is not CUDA_SUCCESS. */
  check(code: number, call: string): void {
    if (code === 0) return;
    const name = [null];
    const text = [null];
    this.f.cuGetErrorName(code, name);
    this.f.cuGetErrorString(code, text);
    throw new CudaError(call, code, name[0] ?? `CUDA error ${code}`, text[0] ?? "");
  }

  /** cuInit, device `ordinal`, its primary context made current; returns what the device is. */
  open(ordinal: number): DeviceInfo {
    this.check(this.f.cuInit(0), "cuInit");
    const count = new Int32Array(1);
    this.check(this.f.cuDeviceGetCount(count), "cuDeviceGetCount");
    if (ordinal >= count[0]) {
      throw new CudaError(
        "cuDeviceGet",
        101,
        "CUDA_ERROR_INVALID_DEVICE",
        `device ${ordinal} of ${count[0]}`,
      );
    }
    const dev = new Int32Array(1);
    this.check(this.f.cuDeviceGet(dev, ordinal), "cuDeviceGet");
    const ctx = [null];
    this.check(this.f.cuDevicePrimaryCtxRetain(ctx, dev[0]), "cuDevicePrimaryCtxRetain");
    this.context = ctx[0];
    this.check(this.f.cuCtxSetCurrent(this.context), "cuCtxSetCurrent");
    const attr = (a: number) => {
      const v = new Int32Array(1);
      this.check(this.f.cuDeviceGetAttribute(v, a, dev[0]), "cuDeviceGetAttribute");
      return v[0];
    };
    const nameBuf = new Uint8Array(256);
    this.check(this.f.cuDeviceGetName(nameBuf, nameBuf.length, dev[0]), "cuDeviceGetName");
    const version = new Int32Array(1);
    this.check(this.f.cuDriverGetVersion(version), "cuDriverGetVersion");
    return {
      ordinal,
      name: Buffer.from(nameBuf.subarray(0, nameBuf.indexOf(0))).toString("utf8"),
      computeCapability: attr(ATTR_COMPUTE_CAPABILITY_MAJOR) * 10 + attr(ATTR_COMPUTE_CAPABILITY_MINOR),
      multiprocessors: attr(ATTR_MULTIPROCESSOR_COUNT),
      driverVersion: version[0],
    };
  }

  /** Raw device allocation; returns the pointer. Throws CudaError (code 2 when out of memory). */
  alloc(bytes: number): bigint {
    const p = new BigUint64Array(1);
    this.check(this.f.cuMemAlloc_v2(p, bytes), `cuMemAlloc(${bytes} bytes)`);
    return p[0];
  }

  free(ptr: bigint): void {
    this.check(this.f.cuMemFree_v2(ptr), "cuMemFree");
  }

  memInfo(): { free: number; total: number } {
    const free = new BigUint64Array(1);
    const total = new BigUint64Array(1);
    this.check(this.f.cuMemGetInfo_v2(free, total), "cuMemGetInfo");
    return { free: Number(free[0]), total: Number(total[0]) };
  }

  copyToDevice(dst: bigint, src: ArrayBufferView, bytes: number): void {
    if (bytes > 0) this.check(this.f.cuMemcpyHtoD_v2(dst, src, bytes), "cuMemcpyHtoD");
  }

  /** Waits for all earlier work on the default stream, then copies. */
  copyToHost(dst: ArrayBufferView, src: bigint, bytes: number): void {
    if (bytes > 0) this.check(this.f.cuMemcpyDtoH_v2(dst, src, bytes), "cuMemcpyDtoH");
  }

  copyOnDevice(dst: bigint, src: bigint, bytes: number): void {
    if (bytes > 0) this.check(this.f.cuMemcpyDtoD_v2(dst, src, bytes), "cuMemcpyDtoD");
  }

  memset(dst: bigint, value: number, bytes: number): void {
    if (bytes > 0) this.check(this.f.cuMemsetD8_v2(dst, value, bytes), "cuMemsetD8");
  }

  synchronize(): void {
    this.check(this.f.cuCtxSynchronize(), "cuCtxSynchronize");
  }

  private event: unknown = null;

  fence(): () => boolean {
    if (!this.event) {
      const e = [null];
      this.check(this.f.cuEventCreate(e, EVENT_DISABLE_TIMING), "cuEventCreate");
      this.event = e[0];
    }
    // One event, re-recorded: a reader waiting on an older record then waits for later work too,
    // which is later but never wrong.
    const event = this.event;
    this.check(this.f.cuEventRecord(event, null), "cuEventRecord");
    return () => {
      const r = this.f.cuEventQuery(event);
      if (r === CUDA_ERROR_NOT_READY) return false;
      this.check(r, "cuEventQuery");
      return true;
    };
  }

  /** Loads a cubin or PTX image (bytes, NUL-terminated for PTX). */
  loadModule(image: Uint8Array, what: string): unknown {
    const mod = [null];
    this.check(this.f.cuModuleLoadData(mod, image), `cuModuleLoadData(${what})`);
    return mod[0];
  }

  getFunction(module: unknown, name: string): unknown {
    const fn = [null];
    this.check(this.f.cuModuleGetFunction(fn, module, name), `cuModuleGetFunction(${name})`);
    return fn[0];
  }

  launch(
    fn: unknown,
    name: string,
    grid: readonly [number, number, number],
    block: readonly [number, number, number],
    args: readonly KernelArg[],
  ): void {
    const params = this.packer.pack(name, kernelSpec(name), args);
    this.check(
      this.f.cuLaunchKernel(
        fn,
        grid[0],
        grid[1],
        grid[2],
        block[0],
        block[1],
        block[2],
        0,
        null,
        params,
        null,
      ),
      `cuLaunchKernel(${name}, grid ${grid.join("x")}, block ${block.join("x")})`,
    );
  }
}
