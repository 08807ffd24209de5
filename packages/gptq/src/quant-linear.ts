import { linear, nn, type Tensor } from "@shrinkray/tensor-cuda";
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

  /** The float32 [out, in] weight forward() computes with (cached after the first call). */
  dequantizedWeight(): Tensor {
    if (!this.cached) {
      const w = dequantizeGptq(this.packed()).to(this.qweight.device);
      // The first forward usually runs inside someone's tidy(); the cache must outlive it.
      w.persistent = true;
      this.cached = w;
    }
    return this.cached;
  }

  /** Drops the cached float weight; call it too after writing the packed buffers in place. */
  releaseCache(): void {
    this.cached = null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.dequantizedWeight(), this.bias);
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, bits=${this.bits}, group_size=${this.groupSize}, bias=${this.bias !== null}`;
  }
}
