import { defaultGenerator, type Generator } from "../random.js";
import { DTypeError, fmt, ShapeError } from "../shape.js";
import { Tensor } from "../tensor.js";
import { where } from "./elementwise.js";
import { fusedCrossEntropy } from "./fused.js";
import { gather } from "./indexing.js";
import { logSoftmax } from "./softmax.js";

export interface CrossEntropyOptions {
  /** Targets equal to this contribute nothing (PyTorch's default, -100). */
  ignoreIndex?: number;
  reduction?: "mean" | "sum" | "none";
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [..., V] against integer targets [...]. With reduction "mean" the
 * loss is averaged over targets that are not ignored, as torch.nn.functional.cross_entropy.
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const ignore = opts.ignoreIndex ?? -100;
  if (targets.rank !== logits.rank - 1 || targets.shape.some((d, i) => d !== logits.shape[i])) {
    throw new ShapeError(
      `cross_entropy: targets ${fmt(targets.shape)} must be logits ${fmt(logits.shape)} without the last axis`,
    );
  }
  if (targets.dtype !== "int32" && targets.dtype !== "int64" && targets.dtype !== "uint8") {
    throw new DTypeError(
      `cross_entropy: targets must be integer class ids, got ${targets.dtype} ${fmt(targets.shape)}`,
    );
  }
  const t = targets.cast("int32");
  const valid = t.ne(ignore);
  const classes = logits.shape[logits.rank - 1];
  const eps = opts.labelSmoothing ?? 0;
  // A fused kernel where the backend has one: it zeroes ignored rows and flags out-of-range
  // targets itself (raised at the next read).
  const fused = fusedCrossEntropy(logits, t, ignore, eps);
  let nll: Tensor;
  if (fused) nll = fused;
  else {
    const safe = where(valid, t, 0);
    // The range check reads the targets on the host, so it runs only where that is synchronous.
    if (safe.size > 0 && safe.device === "cpu") {
      // Named here: the gather below would only report an index out of range somewhere.
      const lo = safe.min().item();
      const hi = safe.max().item();
      const bad = lo < 0 ? lo : hi >= classes ? hi : null;
      if (bad !== null) {
        throw new RangeError(
          `cross_entropy: target ${bad} is out of range for ${classes} classes (logits ${fmt(logits.shape)}, ignoreIndex ${ignore})`,
        );
      }
    }
    const logp = logSoftmax(logits, -1);
    nll = gather(logp, -1, safe.unsqueeze(-1)).squeeze(-1).neg();
    if (eps > 0) nll = nll.mul(1 - eps).sub(logp.mean(-1).mul(eps));
    const zero = Tensor.scalar(0, { dtype: nll.dtype, device: nll.device });
    nll = where(valid, nll, zero);
  }
  switch (opts.reduction ?? "mean") {
    case "none":
      return nll;
    case "sum":
      return nll.sum();
    default: {
      // PyTorch returns NaN (0/0) when every target is ignored; a batch of pure padding then
      // poisons a training run, so such a batch contributes 0 (and a zero gradient) here.
      // The count stays on the device: no synchronous read, so this also works on CUDA.
      const count = valid.cast(nll.dtype).sum().clamp(1);
      return nll.sum().div(count);
    }
  }
}

/** Inverted dropout: zeroes elements with probability p and scales the rest by 1/(1-p). */
export function dropout(
  x: Tensor,
  p: number,
  training = true,
  generator: Generator = defaultGenerator,
): Tensor {
  if (p < 0 || p >= 1) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keep = Tensor.rand(x.shape, {
    generator,
    device: x.device,
    dtype: x.dtype === "float64" ? "float64" : "float32",
  })
    .ge(p)
    .cast(x.dtype)
    .mul(1 / (1 - p));
  return x.mul(keep);
}
