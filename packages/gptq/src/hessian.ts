import { matmulRaw, ShapeError, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { floatData } from "./util.js";

const f = Math.fround;

/**
 * The layer-input Hessian GPTQ needs, H = 2/n Σ x xᵀ over the calibration samples, kept as a
 * running mean so batches of any size can be added one at a time without holding them: each
 * add rescales H by n/(n+b), then adds the new inputs scaled by √(2/(n+b)) as one GEMM. The
 * order and float32 rounding follow the IST-DASLab reference's `add_batch`.
 */
export class HessianAccumulator {
  /** Samples seen: a [batch, tokens, in] input counts `batch`, a [tokens, in] input counts 1. */
  nsamples = 0;
  private readonly h: Float32Array;
  /** H where the inputs live when they are on a device (the first add decides). */
  private onDevice: Tensor | null = null;

  constructor(readonly columns: number) {
    if (!(Number.isInteger(columns) && columns > 0)) {
      throw new RangeError(`HessianAccumulator: columns must be a positive integer, got ${columns}`);
    }
    this.h = new Float32Array(columns * columns);
  }

  /** Adds layer inputs [tokens, in] or [batch, tokens, in] (float; cast to float32). */
  add(x: Tensor): void {
    const n = this.columns;
    if (x.rank < 2 || x.shape[x.rank - 1] !== n) {
      throw new ShapeError(`HessianAccumulator.add: x must be [..., ${n}], got [${x.shape.join(", ")}]`);
    }
    const batch = x.rank === 2 ? 1 : x.shape[0];
    if (batch === 0) return;
    if (x.device !== "cpu" || this.onDevice) {
      this.addOnDevice(x, batch);
      return;
    }
    const data = floatData(x);
    const keep = f(this.nsamples / (this.nsamples + batch));
    this.nsamples += batch;
    const s = f(Math.sqrt(2 / this.nsamples));
    for (let i = 0; i < data.length; i++) data[i] *= s;
    const xs = Tensor.from(data, [data.length / n, n]);
    // xᵀx with the transpose described to the GEMM, not copied.
    const gram = matmulRaw(xs, xs, true, false, "HessianAccumulator.add");
    const g = gram.dataSync() as Float32Array;
    gram.dispose();
    xs.dispose();
    // H·keep rounded, then + xᵀx rounded (the store): the reference's two steps in one pass.
    const h = this.h;
    for (let i = 0; i < g.length; i++) h[i] = f(h[i] * keep) + g[i];
  }

  /**
   * The same two roundings as the host path (H·keep, then + xᵀx), with H kept on the inputs'
   * device so calibration never copies activations back. The GEMM follows the device's TF32
   * switch (`cuda.setAllowTF32`, off by default), as PyTorch's GPTQ follows allow_tf32.
   */
  private addOnDevice(x: Tensor, batch: number): void {
    const n = this.columns;
    if (this.nsamples > 0 && !this.onDevice) {
      throw new Error(`HessianAccumulator.add: earlier inputs were on cpu, this one is on ${x.device}`);
    }
    if (this.onDevice && this.onDevice.device !== x.device) {
      throw new Error(
        `HessianAccumulator.add: earlier inputs were on ${this.onDevice.device}, this one is on ${x.device}`,
      );
    }
    const keep = f(this.nsamples / (this.nsamples + batch));
    this.nsamples += batch;
    const s = f(Math.sqrt(2 / this.nsamples));
    const before = this.onDevice;
    this.onDevice = tidy(() => {
      const xs = x.reshape([-1, n]).cast("float32").mul(s);
      const gram = matmulRaw(xs, xs, true, false, "HessianAccumulator.add");
      return before ? before.mul(keep).add(gram) : gram;
    });
    this.onDevice.persistent = true;
    if (before) {
      before.persistent = false;
      before.dispose();
    }
  }

  /** Frees H where it lives on a device (the host copy is ordinary memory). */
  dispose(): void {
    if (!this.onDevice) return;
    this.onDevice.persistent = false;
    this.onDevice.dispose();
    this.onDevice = null;
  }

  /** H as a float32 [in, in] tensor (a copy), on the device the inputs came from. */
  hessian(): Tensor {
    if (this.onDevice) return this.onDevice.mul(1);
    return Tensor.from(this.h.slice(), [this.columns, this.columns]);
  }
}
