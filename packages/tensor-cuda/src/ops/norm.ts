import { DTypeError, fmt, ShapeError } from "../shape.js";
import { recordOp, type Tensor, wrap } from "../tensor.js";
import { backendOf, requireFloat, sameDevice } from "./util.js";

function checkAffine(op: string, x: Tensor, p: Tensor | null | undefined, what: string): void {
  const cols = x.shape[x.rank - 1];
  if (p && (p.rank !== 1 || p.shape[0] !== cols)) {
    throw new ShapeError(
      `${op}: ${what} ${fmt(p.shape)} does not match the last axis of input ${fmt(x.shape)}`,
    );
  }
  if (p && p.dtype !== x.dtype) {
    throw new DTypeError(`${op}: ${what} is ${p.dtype} ${fmt(p.shape)}, input is ${x.dtype} ${fmt(x.shape)}`);
  }
  if (p) sameDevice(op, x, p);
}

/** Layer normalisation over the last axis (biased variance, as torch.nn.LayerNorm). */
export function layerNorm(x: Tensor, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  requireFloat("layer_norm", x);
  checkAffine("layer_norm", x, weight, "weight");
  checkAffine("layer_norm", x, bias, "bias");
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  const b = backendOf(x);
  const { y, mean, rstd } = b.layerNorm(
    x.storage,
    weight?.storage ?? null,
    bias?.storage ?? null,
    rows,
    cols,
    eps,
  );
  const out = wrap(y, x.shape);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  // The statistics are tensors saved for backward, so tidy() frees them with the graph (and at
  // once when nothing is recorded): on a GPU they are device memory.
  const stats = [wrap(mean, [rows]), wrap(rstd, [rows])];
  const result = recordOp(
    "layer_norm",
    inputs,
    out,
    (g) => {
      const r = b.layerNormBackward(
        x.storage,
        weight?.storage ?? null,
        stats[0].storage,
        stats[1].storage,
        g.storage,
        rows,
        cols,
      );
      const grads: (Tensor | null)[] = [wrap(r.dx, x.shape)];
      if (weight) grads.push(wrap(r.dweight!, weight.shape));
      if (bias) grads.push(wrap(r.dbias, bias.shape));
      else r.dbias.dispose();
      return grads;
    },
    stats,
  );
  if (!result.gradFn) for (const s of stats) s.dispose();
  return result;
}

/** RMS normalisation over the last axis (Llama's RMSNorm: x / sqrt(mean(x²) + eps) * w). */
export function rmsNorm(x: Tensor, weight?: Tensor | null, eps = 1e-6): Tensor {
  requireFloat("rms_norm", x);
  checkAffine("rms_norm", x, weight, "weight");
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  const b = backendOf(x);
  const { y, rstd } = b.rmsNorm(x.storage, weight?.storage ?? null, rows, cols, eps);
  const out = wrap(y, x.shape);
  const rstdT = wrap(rstd, [rows]);
  const result = recordOp(
    "rms_norm",
    weight ? [x, weight] : [x],
    out,
    (g) => {
      const r = b.rmsNormBackward(x.storage, weight?.storage ?? null, rstdT.storage, g.storage, rows, cols);
      return weight ? [wrap(r.dx, x.shape), wrap(r.dweight!, weight.shape)] : [wrap(r.dx, x.shape)];
    },
    [rstdT],
  );
  if (!result.gradFn) rstdT.dispose();
  return result;
}
