import { matmul, noGrad, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { floatData } from "./util.js";

/**
 * How much a quantized weight changes the layer's outputs on its calibration inputs, relative
 * to the outputs themselves: ‖X(Ŵ − W)ᵀ‖² / ‖XWᵀ‖² = tr(ΔHΔᵀ) / tr(WHWᵀ) with H ∝ Σ xxᵀ, so it
 * needs only the Hessian GPTQ already holds, not the activations. This is the quantity GPTQ
 * minimises, which makes it the fair per-layer comparison with round-to-nearest.
 */
export function relativeOutputError(weight: Tensor, quantized: Tensor, hessian: Tensor): number {
  return noGrad(() =>
    tidy(() => {
      const [rows, cols] = weight.shape;
      const w = floatData(weight);
      const q = floatData(quantized);
      const d = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) d[i] = q[i] - w[i];
      const h = Tensor.from(floatData(hessian), [cols, cols]);
      const quad = (m: Float32Array) => {
        const t = Tensor.from(m, [rows, cols]);
        return matmul(t, h).mul(t).sum().item();
      };
      const num = quad(d);
      const den = quad(w);
      return den > 0 ? num / den : num > 0 ? Number.POSITIVE_INFINITY : 0;
    }),
  );
}

/**
 * relativeOutputError for tensors on any device (the same quadratic forms, computed where the
 * tensors are; only the two sums are read back).
 */
export async function relativeOutputErrorAsync(
  weight: Tensor,
  quantized: Tensor,
  hessian: Tensor,
): Promise<number> {
  const [numT, denT] = noGrad(() =>
    tidy(() => {
      const w = weight.cast("float32");
      const h = hessian.cast("float32");
      const quad = (m: Tensor) => matmul(m, h).mul(m).sum().cast("float64");
      return [quad(quantized.cast("float32").sub(w)), quad(w)];
    }),
  );
  const [num] = (await numT.data()) as Float64Array;
  const [den] = (await denT.data()) as Float64Array;
  numT.dispose();
  denT.dispose();
  return den > 0 ? num / den : num > 0 ? Number.POSITIVE_INFINITY : 0;
}
