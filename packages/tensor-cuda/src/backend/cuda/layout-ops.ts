import { byteSize } from "../../dtype.js";
import type { Storage, StridedView } from "../backend.js";
import type { CudaContext } from "./context.js";
import { index3, isContiguousView } from "./index3.js";
import type { CudaStorage } from "./storage.js";
import { atomicSuffix, byteSuffix, indexSuffix } from "./suffixes.js";

/*
 * Copies through strided views and the index ops. Out-of-range indices cannot throw from a
 * kernel: they are flagged in the device error word and raised as a RangeError at the next read.
 */

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export class LayoutOps {
  constructor(private readonly c: CudaContext) {}

  copyStrided(x: Storage, view: StridedView): CudaStorage {
    const n = numel(view.shape);
    const out = this.c.alloc(x.dtype, n);
    if (isContiguousView(view)) {
      this.c.driver.copyOnDevice(out.address(), this.c.ptr(x, view.offset), n * byteSize(x.dtype));
    } else {
      this.c.launch1d(`copy_strided_${byteSuffix(x.dtype)}`, n, [
        this.c.ptr(x),
        out.address(),
        index3([view]),
      ]);
    }
    return out;
  }

  copyInto(dst: Storage, view: StridedView, src: Storage): void {
    if (src.dtype !== dst.dtype) {
      throw new TypeError(`copyInto: source ${src.dtype} and destination ${dst.dtype} differ; cast first`);
    }
    const n = numel(view.shape);
    if (isContiguousView(view)) {
      this.c.driver.copyOnDevice(this.c.ptr(dst, view.offset), this.c.ptr(src), n * byteSize(dst.dtype));
    } else {
      this.c.launch1d(`copy_into_${byteSuffix(dst.dtype)}`, n, [
        this.c.ptr(dst),
        this.c.ptr(src),
        index3([view]),
      ]);
    }
  }

  /** Index tensors as int32 or int64; anything else is cast to int32 (a temporary). */
  private indices(
    index: Storage,
    cast: (s: Storage) => Storage,
  ): { s: Storage; suffix: "i32" | "i64"; temp: boolean } {
    const suffix = indexSuffix(index);
    if (suffix) return { s: index, suffix, temp: false };
    return { s: cast(index), suffix: "i32", temp: true };
  }

  gather(
    x: Storage,
    index: Storage,
    outer: number,
    dimX: number,
    dimIdx: number,
    inner: number,
    cast: (s: Storage) => Storage,
  ): CudaStorage {
    const idx = this.indices(index, cast);
    const total = outer * dimIdx * inner;
    const out = this.c.alloc(x.dtype, total);
    this.c.launch1d(`gather_${byteSuffix(x.dtype)}_${idx.suffix}`, total, [
      this.c.ptr(x),
      this.c.ptr(idx.s),
      out.address(),
      outer,
      dimX,
      dimIdx,
      inner,
      this.c.errorPointer,
    ]);
    if (idx.temp) idx.s.dispose();
    return out;
  }

  indexSelect(
    x: Storage,
    index: Storage,
    outer: number,
    dim: number,
    inner: number,
    cast: (s: Storage) => Storage,
  ): CudaStorage {
    const idx = this.indices(index, cast);
    const count = index.length;
    const total = outer * count * inner;
    const out = this.c.alloc(x.dtype, total);
    this.c.launch1d(`index_select_${byteSuffix(x.dtype)}_${idx.suffix}`, total, [
      this.c.ptr(x),
      this.c.ptr(idx.s),
      out.address(),
      outer,
      dim,
      count,
      inner,
      this.c.errorPointer,
    ]);
    if (idx.temp) idx.s.dispose();
    return out;
  }

  scatterAdd(
    base: Storage,
    index: Storage,
    src: Storage,
    outer: number,
    dimX: number,
    dimIdx: number,
    inner: number,
    cast: (s: Storage) => Storage,
  ): CudaStorage {
    const t = atomicSuffix("scatter_add", base);
    if (src.dtype !== base.dtype)
      throw new TypeError(`scatter_add: src ${src.dtype} and base ${base.dtype} differ`);
    const idx = this.indices(index, cast);
    const out = this.c.alloc(base.dtype, base.length);
    this.c.driver.copyOnDevice(out.address(), this.c.ptr(base), base.length * byteSize(base.dtype));
    this.c.launch1d(`scatter_add_${t}_${idx.suffix}`, outer * dimIdx * inner, [
      out.address(),
      this.c.ptr(idx.s),
      this.c.ptr(src),
      outer,
      dimX,
      dimIdx,
      inner,
      this.c.errorPointer,
    ]);
    if (idx.temp) idx.s.dispose();
    return out;
  }

  indexAdd(
    src: Storage,
    index: Storage,
    outer: number,
    dim: number,
    inner: number,
    cast: (s: Storage) => Storage,
    zeros: (length: number) => CudaStorage,
  ): CudaStorage {
    const t = atomicSuffix("index_add", src);
    const idx = this.indices(index, cast);
    const count = index.length;
    const out = zeros(outer * dim * inner);
    this.c.launch1d(`index_add_${t}_${idx.suffix}`, outer * count * inner, [
      out.address(),
      this.c.ptr(idx.s),
      this.c.ptr(src),
      outer,
      dim,
      count,
      inner,
      this.c.errorPointer,
    ]);
    if (idx.temp) idx.s.dispose();
    return out;
  }
}
