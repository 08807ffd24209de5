import { nn, quant, type Tensor } from "@shrinkray/tensor-cuda";
import { type PackedGptq, packedShape } from "./pack.js";
import type { Bits } from "./quantizer.js";

/**
 * A linear layer holding GPTQ-packed weights (buffers `qweight`, `qzeros`, `scales`, `g_idx`,
 * named as checkpoints name them; zero points in memory are v2). forward() is tensor-cuda's
 * `quant.packedLinear`: on the CPU it multiplies straight from the packed codes through
 * onnxruntime's MatMulNBits (2/3/4 bits; 8-bit and unusual group sizes dequantize per call), so
 * the layer never holds a float copy of its weight; on CUDA, decoding (≤ 8 rows) runs the fused
 * GEMV and larger inputs multiply a cached dequantized weight (`releaseCache()` drops it).
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
  private readonly cache = new quant.DequantizedCache();

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

  /** The float32 [out, in] weight forward() computes with (a new tensor; the layer keeps none). */
  dequantizedWeight(): Tensor {
    return quant.dequantizePacked(this.packed());
  }

  /**
   * Drops the cached float weight and whatever the device prepared from the packed buffers;
   * call it after writing the packed buffers in place.
   */
  releaseCache(): void {
    this.cache.release();
    quant.forgetPacked(this.packed());
  }

  /** The cached float weight belongs to the device the packed buffers left. */
  protected override onMoved(): void {
    this.cache.release();
  }

  forward(x: Tensor): Tensor {
    // The CPU multiplies from the codes or dequantizes per call: a cache there would be the
    // float copy of the weight this layer exists to avoid.
    return quant.packedLinear(x, this.packed(), this.bias, x.device === "cpu" ? null : this.cache);
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, bits=${this.bits}, group_size=${this.groupSize}, bias=${this.bias !== null}`;
  }
}
