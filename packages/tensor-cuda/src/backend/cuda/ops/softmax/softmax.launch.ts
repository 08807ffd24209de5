import type { SoftmaxSpec, Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";
import { floatSuffix } from "../../suffixes.js";

/* Softmax and log-softmax over rows (optionally causal, after a KV cache): one block per row. */

export class SoftmaxOps {
  constructor(private readonly c: CudaContext) {}

  softmax(x: Storage, spec: SoftmaxSpec): CudaStorage {
    const t = floatSuffix(spec.log ? "log_softmax" : "softmax", x);
    const out = this.c.alloc(x.dtype, spec.rows * spec.cols);
    this.c.launchRows(`softmax_fwd_${t}`, spec.rows, spec.cols, [
      this.c.ptr(x),
      out.address(),
      spec.rows,
      spec.cols,
      spec.log ? 1 : 0,
      spec.causal?.queries ?? 0,
      spec.causal?.offset ?? 0,
    ]);
    return out;
  }

  softmaxBackward(y: Storage, g: Storage, spec: SoftmaxSpec): CudaStorage {
    const t = floatSuffix("softmax backward", y);
    const out = this.c.alloc(y.dtype, spec.rows * spec.cols);
    this.c.launchRows(`softmax_bwd_${t}`, spec.rows, spec.cols, [
      this.c.ptr(y),
      this.c.ptr(g),
      out.address(),
      spec.rows,
      spec.cols,
      spec.log ? 1 : 0,
      spec.causal?.queries ?? 0,
      spec.causal?.offset ?? 0,
    ]);
    return out;
  }
}
