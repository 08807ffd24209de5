/*
 * Test-only: compares the gradient backward() gives for a scalar loss with central finite
 * differences, in float64.
 */
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";

export interface GradcheckResult {
  maxAbsError: number;
  /** The worst element, for the failure message. */
  worst: { index: number; analytic: number; numeric: number };
}

export function gradcheck(
  loss: (x: Tensor) => Tensor,
  x0: Float64Array,
  shape: readonly number[],
  eps = 1e-6,
): GradcheckResult {
  const x = Tensor.from(x0.slice(), shape, { dtype: "float64", requiresGrad: true });
  loss(x).backward();
  const analytic = x.grad ? (x.grad.dataSync() as Float64Array) : new Float64Array(x0.length);
  const at = (j: number, delta: number) => {
    const d = x0.slice();
    d[j] += delta;
    return noGrad(() => loss(Tensor.from(d, shape, { dtype: "float64" })).item());
  };
  let worst = { index: -1, analytic: 0, numeric: 0 };
  let maxAbsError = 0;
  for (let j = 0; j < x0.length; j++) {
    const numeric = (at(j, eps) - at(j, -eps)) / (2 * eps);
    const err = Math.abs(analytic[j] - numeric);
    if (!(err <= maxAbsError)) {
      maxAbsError = err;
      worst = { index: j, analytic: analytic[j], numeric };
    }
  }
  return { maxAbsError, worst };
}
