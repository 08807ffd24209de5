import { noGrad } from "../autograd/grad-mode.js";
import { stack } from "../ops/layout.js";
import { tidy } from "../scope.js";
import { Tensor } from "../tensor.js";

/**
 * torch.nn.utils.clip_grad_norm_: the norm of all gradients taken together (as if concatenated
 * into one vector); when it exceeds maxNorm every gradient is scaled by maxNorm / (norm + 1e-6).
 * normType is any p >= 1 or Infinity. Returns the norm before clipping as a scalar tensor, so
 * nothing waits on the device; `.item()` reads it on the CPU.
 *
 * Gradients are replaced by scaled copies rather than scaled in place (a gradient tensor set by
 * hand on two parameters would otherwise be scaled twice); the replaced ones are disposed, as
 * zeroGrad() disposes, so keep no reference to a .grad across clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): Tensor {
  if (!(normType >= 1))
    throw new RangeError(`clipGradNorm: normType must be >= 1 or Infinity, got ${normType}`);
  const withGrad = [...params].filter((p) => p.grad);
  if (withGrad.length === 0) return Tensor.scalar(0);
  const { total, grads } = noGrad(() =>
    tidy(() => {
      // float32 unless every gradient is float64 (half types cannot be computed on directly).
      const dtype = withGrad.every((p) => p.grad!.dtype === "float64") ? "float64" : "float32";
      const gs = withGrad.map((p) => p.grad!.cast(dtype));
      const norms = stack(gs.map((g) => vectorNorm(g, normType)));
      const total = vectorNorm(norms, normType);
      // clamp(coef, max=1) instead of a branch: no host sync, and a no-op when under the limit.
      const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(undefined, 1);
      return { total, grads: gs.map((g, i) => g.mul(coef).cast(withGrad[i].grad!.dtype)) };
    }),
  );
  // The scaled copies outlive any enclosing tidy(), as backward's gradients do, and the ones
  // they replace are freed now (on a device, not left to the GC).
  withGrad.forEach((p, i) => {
    grads[i].persistent = true;
    if (p.grad !== grads[i]) p.grad?.dispose();
    p.grad = grads[i];
  });
  return total;
}

function vectorNorm(x: Tensor, p: number): Tensor {
  const a = x.abs();
  if (p === Number.POSITIVE_INFINITY) return a.max();
  if (p === 1) return a.sum();
  if (p === 2) return a.square().sum().sqrt();
  return a
    .pow(p)
    .sum()
    .pow(1 / p);
}
