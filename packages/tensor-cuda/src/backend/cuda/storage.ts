import type { DType } from "../../dtype.js";
import type { Device, Storage } from "../backend.js";
import type { CachingAllocator, DeviceBlock } from "./caching-allocator.js";

/*
 * Device memory behind a tensor. dispose() (tidy scopes, Tensor.dispose) hands the block back to
 * the caching allocator at once; a storage the program forgets is returned when the garbage
 * collector finalises it, which is late but never leaks.
 */

interface Held {
  allocator: CachingAllocator;
  block: DeviceBlock;
}

const finalizer = new FinalizationRegistry<Held>((h) => h.allocator.release(h.block));

export class CudaStorage implements Storage {
  readonly device: Device = "cuda";
  refs = 0;
  private block: DeviceBlock | null;

  constructor(
    readonly dtype: DType,
    readonly length: number,
    block: DeviceBlock,
    private readonly allocator: CachingAllocator,
  ) {
    this.block = block;
    if (block.size > 0) finalizer.register(this, { allocator, block }, this);
  }

  /** The device address of element `elementOffset`. */
  address(byteOffset = 0): bigint {
    if (!this.block)
      throw new Error(`a disposed CUDA ${this.dtype} tensor of ${this.length} elements was used`);
    return this.block.ptr + BigInt(byteOffset);
  }

  private pins = 0;
  private pinnedBlock: DeviceBlock | null = null;

  /**
   * Keeps the memory alive for a read in flight even if the tensor is disposed meanwhile (the
   * block goes back to the allocator at the last unpin). Returns the address and the unpin.
   */
  pin(): { address: bigint; unpin: () => void } {
    const address = this.address();
    this.pins++;
    let done = false;
    return {
      address,
      unpin: () => {
        if (done) return;
        done = true;
        if (--this.pins === 0 && this.pinnedBlock) {
          this.allocator.release(this.pinnedBlock);
          this.pinnedBlock = null;
        }
      },
    };
  }

  dispose(): void {
    if (!this.block) return;
    finalizer.unregister(this);
    if (this.pins > 0) this.pinnedBlock = this.block;
    else this.allocator.release(this.block);
    this.block = null;
  }
}

export function cudaStorage(s: Storage): CudaStorage {
  if (!(s instanceof CudaStorage)) throw new TypeError(`expected CUDA storage, got a ${s.device} one`);
  return s;
}
