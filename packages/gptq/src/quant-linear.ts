import { getBackend, linear, matmul, nn, Tensor } from "@shrinkray/tensor-cuda";
import { dequantizeGptq, type PackedGptq, packedShape } from "./pack.js";
import type { Bits } from "./quantizer.js";

/**
 * A linear layer holding GPTQ-packed weights (buffers `qweight`, `qzeros`, `scales`, `g_idx`,
 * named as checkpoints name them; zero points in memory are v2). forward() dequantizes once,
 * caches the float32 weight and runs the GEMM: on CPU that is faster than unpacking per call,
 * at the cost of holding the float weight while the layer is in use (`releaseCache()` drops it).
 */
export class QuantLinear extends nn.Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bits: Bits;
  readonly groupSize: number;
  qweight: Tensor;
  qzeros: Tensor;
  scales: Tensor;
  g_idx: Tensor;
  bias: Tensor | null;
  private cached: Tensor | null = null;
  private cachedTransposed = false;

  constructor(packed: PackedGptq, bias: Tensor | null = null) {
    super();
    const { inFeatures, outFeatures } = packedShape(packed);
    if (bias && (bias.rank !== 1 || bias.shape[0] !== outFeatures)) {
      throw new RangeError(`QuantLinear: bias must be [${outFeatures}], got [${bias.shape.join(", ")}]`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.bits = packed.bits;
    this.groupSize = packed.groupSize;
    this.qweight = this.buffer("qweight", packed.qweight);
    this.qzeros = this.buffer("qzeros", packed.qzeros);
    this.scales = this.buffer("scales", packed.scales);
    this.g_idx = this.buffer("g_idx", packed.gIdx);
    this.bias = bias ? this.buffer("bias", bias.detach()) : null;
  }

  /** The packed form, e.g. to write a checkpoint with gptqCheckpointTensors. */
  packed(): PackedGptq {
    return {
      qweight: this.qweight,
      qzeros: this.qzeros,
      scales: this.scales,
      gIdx: this.g_idx,
      bits: this.bits,
      groupSize: this.groupSize,
    };
  }

  /** The float32 [out, in] weight forward() computes with. */
  dequantizedWeight(): Tensor {
    const w = this.weightForForward();
    return this.cachedTransposed ? w.transpose(0, 1) : w;
  }

  /**
   * The float weight, cached after the first call: [out, in] from the host unpacker on the CPU,
   * or [in, out] straight from the device's dequantization kernel where the packed buffers live
   * on a device that has one (the packed tensors never come back to the host).
   */
  private weightForForward(): Tensor {
    if (!this.cached) {
      const device = this.qweight.device;
      const b = getBackend(device);
      let w: Tensor;
      if (device !== "cpu" && b.dequantizeGptq) {
        const spec = {
          inFeatures: this.inFeatures,
          outFeatures: this.outFeatures,
          groups: this.scales.shape[0],
          bits: this.bits,
        };
        const s = b.dequantizeGptq(
          this.qweight.storage,
          this.qzeros.storage,
          this.scales.storage,
          this.g_idx.storage,
          spec,
        );
        w = new Tensor(s, [this.inFeatures, this.outFeatures]);
        this.cachedTransposed = true;
      } else {
        w = dequantizeGptq(this.packed()).to(device);
        this.cachedTransposed = false;
      }
      // The first forward usually runs inside someone's tidy(); the cache must outlive it.
      w.persistent = true;
      this.cached = w;
    }
    return this.cached;
  }

  /** Drops the cached float weight (device memory at once); call it too after writing the packed buffers in place. */
  releaseCache(): void {
    if (this.cached && this.cached.device !== "cpu") this.cached.dispose();
    this.cached = null;
  }

  forward(x: Tensor): Tensor {
    const w = this.weightForForward();
    if (!this.cachedTransposed) return linear(x, w, this.bias);
    const y = matmul(x, w);
    return this.bias ? y.add(this.bias) : y;
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, bits=${this.bits}, group_size=${this.groupSize}, bias=${this.bias !== null}`;
  }
}
