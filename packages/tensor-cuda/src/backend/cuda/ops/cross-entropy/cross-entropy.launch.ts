import type { CrossEntropySpec, Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";
import { floatSuffix } from "../../suffixes.js";

/* Fused cross-entropy over rows of logits: one pass for the loss and log-sum-exp, one for the gradient. */

export class CrossEntropyOps {
  constructor(private readonly c: CudaContext) {}

  crossEntropy(
    logits: Storage,
    targets: Storage,
    spec: CrossEntropySpec,
  ): { loss: CudaStorage; lse: CudaStorage } {
    const t = floatSuffix("cross_entropy", logits);
    if (targets.dtype !== "int32")
      throw new TypeError(`cross_entropy: targets must be int32, got ${targets.dtype}`);
    const loss = this.c.alloc(logits.dtype, spec.rows);
    const lse = this.c.alloc(logits.dtype, spec.rows);
    this.c.launchRows(`cross_entropy_fwd_${t}`, spec.rows, spec.classes, [
      this.c.ptr(logits),
      this.c.ptr(targets),
      loss.address(),
      lse.address(),
      spec.rows,
      spec.classes,
      spec.ignoreIndex,
      spec.labelSmoothing,
      this.c.errorPointer,
    ]);
    return { loss, lse };
  }

  crossEntropyBackward(
    logits: Storage,
    targets: Storage,
    lse: Storage,
    gloss: Storage,
    spec: CrossEntropySpec,
  ): CudaStorage {
    const t = floatSuffix("cross_entropy backward", logits);
    const d = this.c.alloc(logits.dtype, spec.rows * spec.classes);
    this.c.launchRows(`cross_entropy_bwd_${t}`, spec.rows, spec.classes, [
      this.c.ptr(logits),
      this.c.ptr(targets),
      this.c.ptr(lse),
      this.c.ptr(gloss),
      d.address(),
      spec.rows,
      spec.classes,
      spec.ignoreIndex,
      spec.labelSmoothing,
    ]);
    return d;
  }
}
