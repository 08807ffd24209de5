import { getBackend, isGradEnabled, linear, matmul, nn, Tensor } from "@shrinkray/tensor-cuda";
import { dequantizeGptq, type PackedGptq, packedShape } from "./pack.js";
import type { Bits } from "./quantizer.js";

/** Rows up to which a device forward multiplies from the packed codes (tensor-cuda's GEMV_MAX_ROWS). */
const DECODE_MAX_ROWS = 8;

/**
 * A linear layer holding GPTQ-packed weights (buffers `qweight`, `qzeros`, `scales`, `g_idx`,
 * named as checkpoints name them; zero points in memory are v2). forward() dequantizes once,
 * caches the float32 weight and runs the GEMM: on CPU that is faster than unpacking per call,
 * at the cost of holding the float weight while the layer is in use (`releaseCache()` drops it).
 * On a CUDA device, inputs of at most 8 rows that need no gradient (decoding) skip the cache and
 * multiply straight from the packed codes.
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

  /** The cached float weight belongs to the device the packed buffers left. */
  protected override onMoved(): void {
    this.releaseCache();
  }

  forward(x: Tensor): Tensor {
    const fused = this.decodeForward(x);
    if (fused) return fused;
    const w = this.weightForForward();
    if (!this.cachedTransposed) return linear(x, w, this.bias);
    const y = matmul(x, w);
    return this.bias ? y.add(this.bias) : y;
  }

  /**
   * A few rows (token-by-token decoding) on a device with a fused GPTQ matmul: the product is
   * taken straight from the packed codes, never forming (or caching) the float weight, so a step
   * reads bits/32 of the weight memory a float GEMV would. Not where x needs a gradient (the
   * backward wants the float weight) and not for prefill-sized inputs (cuBLAS on the cached
   * weight is faster there). Null where it does not apply.
   */
  private decodeForward(x: Tensor): Tensor | null {
    const device = this.qweight.device;
    if (device === "cpu" || x.device !== device || x.rank < 1) return null;
    const b = getBackend(device);
    const rows = x.size / this.inFeatures;
    if (!b.gptqMatmul || rows < 1 || rows > DECODE_MAX_ROWS || x.shape[x.rank - 1] !== this.inFeatures)
      return null;
    if (isGradEnabled() && x.requiresGrad) return null;
    const flat = x.reshape([rows, this.inFeatures]).contiguous();
    const s = b.gptqMatmul(
      flat.storage,
      this.qweight.storage,
      this.qzeros.storage,
      this.scales.storage,
      this.g_idx.storage,
      {
        rows,
        inFeatures: this.inFeatures,
        outFeatures: this.outFeatures,
        groups: this.scales.shape[0],
        bits: this.bits,
      },
    );
    if (flat !== x) flat.dispose();
    const y = new Tensor(s, [...x.shape.slice(0, -1), this.outFeatures]);
    if (!this.bias) return y;
    const out = y.add(this.bias);
    y.dispose();
    return out;
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, bits=${this.bits}, group_size=${this.groupSize}, bias=${this.bias !== null}`;
  }
}
