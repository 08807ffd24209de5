import { byteSize, type DType } from "../../../../dtype.js";
import { numel } from "../../../../shape.js";
import type { Storage, StridedView } from "../../../backend.js";
import { isContiguous } from "../../../strided-view.js";
import type { CudaContext } from "../../context.js";
import { index3 } from "../../index3.js";
import type { CudaStorage } from "../../storage.js";
import { atomicSuffix, byteSuffix, indexSuffix } from "../../suffixes.js";

/*
 * Copies through strided views and the index ops. Out-of-range indices cannot throw from a
 * kernel: they are flagged in the device error word and raised as a RangeError at the next read.
 */

export class LayoutOps {
  constructor(
    private readonly c: CudaContext,
    /** Casts and zero-fills, from the element-wise ops: index tensors go to int32, adds start at 0. */
    private readonly ew: {
      cast(s: Storage, to: "int32"): CudaStorage;
      zeros(dtype: DType, length: number): CudaStorage;
    },
  ) {}

  copyStrided(x: Storage, view: StridedView): CudaStorage {
    const n = numel(view.shape);
    const out = this.c.alloc(x.dtype, n);
    if (isContiguous(view)) {
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
    if (isContiguous(view)) {
      this.c.driver.copyOnDevice(this.c.ptr(dst, view.offset), this.c.ptr(src), n * byteSize(dst.dtype));
    } else {
      this.c.launch1d(`copy_into_${byteSuffix(dst.dtype)}`, n, [
        this.c.ptr(dst),
        this.c.ptr(src),
        index3([view]),
      ]);
    }
  }

  /**
   * Every index kernel has the parameters (a, index, b, outer, dim, count, inner, err): `a` is
   * read and `b` written (gather, index_select) or `a` accumulated into from `b` (the adds).
   * Indices arrive as int32 or int64; anything else is cast to int32 for the call.
   */
  private launchIndexKernel(
    family: string,
    valueSuffix: string,
    index: Storage,
    a: bigint,
    b: bigint,
    dims: { outer: number; dim: number; count: number; inner: number },
  ): void {
    const own = indexSuffix(index);
    const idx = own ? index : this.ew.cast(index, "int32");
    const { outer, dim, count, inner } = dims;
    this.c.launch1d(`${family}_${valueSuffix}_${own ?? "i32"}`, outer * count * inner, [
      a,
      this.c.ptr(idx),
      b,
      outer,
      dim,
      count,
      inner,
      this.c.errorPointer,
    ]);
    if (idx !== index) idx.dispose();
  }

  gather(
    x: Storage,
    index: Storage,
    outer: number,
    dimX: number,
    dimIdx: number,
    inner: number,
  ): CudaStorage {
    const out = this.c.alloc(x.dtype, outer * dimIdx * inner);
    const dims = { outer, dim: dimX, count: dimIdx, inner };
    this.launchIndexKernel("gather", byteSuffix(x.dtype), index, this.c.ptr(x), out.address(), dims);
    return out;
  }

  indexSelect(x: Storage, index: Storage, outer: number, dim: number, inner: number): CudaStorage {
    const dims = { outer, dim, count: index.length, inner };
    const out = this.c.alloc(x.dtype, outer * index.length * inner);
    this.launchIndexKernel("index_select", byteSuffix(x.dtype), index, this.c.ptr(x), out.address(), dims);
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
  ): CudaStorage {
    const t = atomicSuffix("scatter_add", base);
    if (src.dtype !== base.dtype)
      throw new TypeError(`scatter_add: src ${src.dtype} and base ${base.dtype} differ`);
    const out = this.c.alloc(base.dtype, base.length);
    this.c.driver.copyOnDevice(out.address(), this.c.ptr(base), base.length * byteSize(base.dtype));
    const dims = { outer, dim: dimX, count: dimIdx, inner };
    this.launchIndexKernel("scatter_add", t, index, out.address(), this.c.ptr(src), dims);
    return out;
  }

  indexAdd(src: Storage, index: Storage, outer: number, dim: number, inner: number): CudaStorage {
    const t = atomicSuffix("index_add", src);
    const out = this.ew.zeros(src.dtype, outer * dim * inner);
    const dims = { outer, dim, count: index.length, inner };
    this.launchIndexKernel("index_add", t, index, out.address(), this.c.ptr(src), dims);
    return out;
  }
}
