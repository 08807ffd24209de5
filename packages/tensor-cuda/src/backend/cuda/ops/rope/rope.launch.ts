import type { Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";
import { floatSuffix } from "../../suffixes.js";

/* Rotary embedding (rotate-half) in one element-wise pass; the backward is the inverse rotation. */

export class RopeOps {
  constructor(private readonly c: CudaContext) {}

  rope(
    x: Storage,
    cos: Storage,
    sin: Storage,
    rows: number,
    positions: number,
    dim: number,
    inverse: boolean,
  ): CudaStorage {
    const t = floatSuffix("rope", x);
    const y = this.c.alloc(x.dtype, rows * dim);
    this.c.launch1d(`rope_${t}`, rows * dim, [
      this.c.ptr(x),
      this.c.ptr(cos),
      this.c.ptr(sin),
      y.address(),
      rows,
      positions,
      dim,
      inverse ? -1 : 1,
    ]);
    return y;
  }
}
