import { matmulRaw, ShapeError, Tensor, tidy } from "@shrinkray/tensor-cuda";

const f = Math.fround;

/**
 * The layer-input Hessian GPTQ needs, H = 2/n Σ x xᵀ over the calibration samples, kept as a
 * running mean so batches of any size can be added one at a time without holding them: each
 * add rescales H by n/(n+b), then adds the new inputs scaled by √(2/(n+b)) as one GEMM. The
 * order and float32 rounding follow the IST-DASLab reference's `add_batch` (H·keep rounded,
 * then + xᵀx rounded). H lives on the inputs' device as a tensor, so calibration never copies
 * activations anywhere, and the element-wise steps run in the device's kernels.
 */
export class HessianAccumulator {
  /** Samples seen: a [batch, tokens, in] input counts `batch`, a [tokens, in] input counts 1. */
  nsamples = 0;
  private h: Tensor | null = null;

  constructor(readonly columns: number) {
    if (!(Number.isInteger(columns) && columns > 0)) {
      throw new RangeError(`HessianAccumulator: columns must be a positive integer, got ${columns}`);
    }
  }

  /**
   * Adds layer inputs [tokens, in] or [batch, tokens, in] (float; cast to float32). The GEMM
   * follows the device's TF32 switch (`cuda.setAllowTF32`, off by default), as PyTorch's GPTQ
   * follows allow_tf32.
   */
  add(x: Tensor): void {
    const n = this.columns;
    if (x.rank < 2 || x.shape[x.rank - 1] !== n) {
      throw new ShapeError(`HessianAccumulator.add: x must be [..., ${n}], got [${x.shape.join(", ")}]`);
    }
    const batch = x.rank === 2 ? 1 : x.shape[0];
    if (batch === 0) return;
    const before = this.h;
    if (before && before.device !== x.device) {
      throw new Error(
        `HessianAccumulator.add: earlier inputs were on ${before.device}, this one is on ${x.device}`,
      );
    }
    const keep = f(this.nsamples / (this.nsamples + batch));
    this.nsamples += batch;
    const s = f(Math.sqrt(2 / this.nsamples));
    const next = tidy(() => {
      const xs = x.detach().reshape([-1, n]).cast("float32").mul(s);
      // xᵀx with the transpose described to the GEMM, not copied.
      const gram = matmulRaw(xs, xs, true, false, "HessianAccumulator.add");
      return before ? before.mul(keep).add(gram) : gram;
    });
    next.persistent = true;
    this.h = next;
    if (before) {
      before.persistent = false;
      before.dispose();
    }
  }

  /** Frees H now (on a device the collector would not). */
  dispose(): void {
    if (!this.h) return;
    this.h.persistent = false;
    this.h.dispose();
    this.h = null;
  }

  /** H as a float32 [in, in] tensor (a copy), on the device the inputs came from (zeros before any add). */
  hessian(): Tensor {
    return this.h ? this.h.mul(1) : Tensor.zeros([this.columns, this.columns]);
  }
}
