import type { DeviceApi, DeviceInfo } from "../../../backend/cuda/driver.js";
import { kernelSpec } from "../../../backend/cuda/kernel-abi.js";
import { type KernelArg, ParamPacker } from "../../../backend/cuda/params.js";
import { DeviceMemory } from "./device-memory.js";
import { runKernel } from "./kernels.js";

/*
 * A DeviceApi that runs on the CPU: memory is host memory at fake addresses, and launches run
 * the JavaScript model of each kernel (ops/<family>/<family>.emulation.ts, written from the
 * family's ABI rows, mostly through the CPU backend). It exercises everything the host side of the CUDA backend does (argument
 * order, views, dtypes, temporaries, allocator traffic) on machines without a GPU; the CUDA C
 * bodies themselves are checked by nvcc in CI and by the parity tests on a real device.
 */

export interface LaunchRecord {
  name: string;
  grid: readonly number[];
  block: readonly number[];
}

export class EmulatedDevice implements DeviceApi {
  readonly path = "emulator";
  readonly memory = new DeviceMemory();
  readonly launches: LaunchRecord[] = [];
  private readonly packer = new ParamPacker();

  open(ordinal: number): DeviceInfo {
    return {
      ordinal,
      name: "emulated device",
      computeCapability: 90,
      multiprocessors: 4,
      driverVersion: 13000,
    };
  }

  alloc(bytes: number): bigint {
    return this.memory.alloc(bytes);
  }

  free(ptr: bigint): void {
    this.memory.free(ptr);
  }

  memInfo() {
    return { free: 1 << 30, total: 1 << 30 };
  }

  copyToDevice(dst: bigint, src: ArrayBufferView, bytes: number): void {
    if (bytes === 0) return;
    this.memory.bytes(dst, "HtoD destination").set(new Uint8Array(src.buffer, src.byteOffset, bytes));
  }

  copyToHost(dst: ArrayBufferView, src: bigint, bytes: number): void {
    if (bytes === 0) return;
    new Uint8Array(dst.buffer, dst.byteOffset, bytes).set(
      this.memory.bytes(src, "DtoH source").subarray(0, bytes),
    );
  }

  copyOnDevice(dst: bigint, src: bigint, bytes: number): void {
    if (bytes === 0) return;
    this.memory.bytes(dst, "DtoD destination").set(this.memory.bytes(src, "DtoD source").subarray(0, bytes));
  }

  memset(dst: bigint, value: number, bytes: number): void {
    if (bytes > 0) this.memory.bytes(dst, "memset destination").fill(value, 0, bytes);
  }

  synchronize(): void {}

  /** Emulated kernels finish when launched; the fence is passed at the second look, so readers do wait once. */
  fence(): () => boolean {
    let looked = false;
    return () => {
      const done = looked;
      looked = true;
      return done;
    };
  }

  loadModule(_image: Uint8Array, what: string): unknown {
    return { module: what };
  }

  getFunction(_module: unknown, name: string): unknown {
    kernelSpec(name); // an unknown kernel fails here, as cuModuleGetFunction would
    return { name };
  }

  launch(
    _fn: unknown,
    name: string,
    grid: readonly [number, number, number],
    block: readonly [number, number, number],
    args: readonly KernelArg[],
  ): void {
    // The real launcher's packing, so bad arguments fail here as they would there.
    this.packer.pack(name, kernelSpec(name), args);
    if (
      grid.some((g) => !(g >= 1 && Number.isInteger(g))) ||
      block.some((b) => !(b >= 1 && Number.isInteger(b)))
    ) {
      throw new Error(`kernel ${name}: bad launch grid ${grid} block ${block}`);
    }
    if (block[0] * block[1] * block[2] > 1024)
      throw new Error(`kernel ${name}: more than 1024 threads per block`);
    this.launches.push({ name, grid, block });
    runKernel(this.memory, name, args, grid);
  }
}
