import type { GptqMatmulSpec, PackedSpec } from "../backend/backend.js";
import { matmul } from "../ops/matmul.js";
import { tidy } from "../scope.js";
import { DTypeError, fmt, ShapeError } from "../shape.js";
import { recordOp, Tensor } from "../tensor.js";
import { quantKernels } from "./kernels.js";

/*
 * Packed low-bit weights as a tensor kind (candle's QTensor): the GPTQ buffers as checkpoints
 * name them, with ops that multiply by them without forming a float copy where the device has
 * a kernel for it (MatMulNBits on the CPU, the fused GEMV on CUDA), and dequantize otherwise.
 */

/** Packed GPTQ weights as held in memory; `qzeros` holds the zero points themselves ("v2"). */
export interface PackedWeight {
  /** int32 [in·bits/32, out]. */
  qweight: Tensor;
  /** int32 [groups, out·bits/32], zero points as is (v2). */
  qzeros: Tensor;
  /** float16 or float32 [groups, out]. */
  scales: Tensor;
  /** int32 [in]: the group of each input column. */
  gIdx: Tensor;
  bits: number;
  groupSize: number;
}

/** Dimensions of a packed weight, checked against each other. */
export function packedSpec(p: PackedWeight, op = "packed weight"): PackedSpec {
  const { qweight, qzeros, scales, gIdx, bits } = p;
  for (const [name, t] of [
    ["qweight", qweight],
    ["qzeros", qzeros],
    ["g_idx", gIdx],
  ] as const) {
    if (t.dtype !== "int32") throw new DTypeError(`${op}: ${name} must be int32, got ${t.dtype}`);
  }
  if (qweight.rank !== 2 || scales.rank !== 2 || qzeros.rank !== 2 || gIdx.rank !== 1)
    throw new ShapeError(
      `${op}: expected qweight [in·bits/32, out], qzeros [groups, out·bits/32], scales [groups, out], g_idx [in]; got ${fmt(qweight.shape)}, ${fmt(qzeros.shape)}, ${fmt(scales.shape)}, ${fmt(gIdx.shape)}`,
    );
  const inFeatures = gIdx.shape[0];
  const outFeatures = qweight.shape[1];
  const groups = scales.shape[0];
  if (
    qweight.shape[0] * 32 !== inFeatures * bits ||
    scales.shape[1] !== outFeatures ||
    qzeros.shape[0] !== groups ||
    qzeros.shape[1] * 32 !== outFeatures * bits
  )
    throw new ShapeError(
      `${op}: shapes do not agree for ${bits}-bit codes of [${outFeatures}, ${inFeatures}]: qweight ${fmt(qweight.shape)}, qzeros ${fmt(qzeros.shape)}, scales ${fmt(scales.shape)}`,
    );
  return { inFeatures, outFeatures, groups, bits };
}

/** The float32 weight transposed, [in, out] (what x·W reads), computed on the buffers' device. */
export function dequantizePackedTransposed(p: PackedWeight): Tensor {
  const spec = packedSpec(p, "dequantizePacked");
  const s = quantKernels(p.qweight, "dequantizePacked").dequantizePacked(
    p.qweight.storage,
    p.qzeros.storage,
    p.scales.storage,
    p.gIdx.storage,
    spec,
  );
  return new Tensor(s, [spec.inFeatures, spec.outFeatures]);
}

/** The float32 weight [out, in] a packed layer computes with: scale · (code − zero). */
export function dequantizePacked(p: PackedWeight): Tensor {
  const wt = dequantizePackedTransposed(p);
  const w = wt.transpose(0, 1).contiguous();
  if (w !== wt) wt.dispose();
  return w;
}

/**
 * A dequantized copy of a packed weight kept for the inputs its device multiplies through a
 * float GEMM (prefill on CUDA, where cuBLAS on the float weight beats unpacking per tile). The
 * owner releases it when the weight moves or changes.
 */
export class DequantizedCache {
  private weight: Tensor | null = null;

  /** The [in, out] float weight of `p`, made on first use. */
  get(p: PackedWeight): Tensor {
    if (!this.weight) {
      const w = dequantizePackedTransposed(p);
      // The first forward usually runs inside someone's tidy(); the cache must outlive it.
      w.persistent = true;
      this.weight = w;
    }
    return this.weight;
  }

  get held(): boolean {
    return this.weight !== null;
  }

  release(): void {
    this.weight?.dispose();
    this.weight = null;
  }
}

/**
 * y = x·Wᵀ (+ bias) for x [..., in] and a packed W [out, in]. Where the device multiplies
 * straight from the packed codes it does (no float weight is formed); elsewhere the weight is
 * dequantized, into `cache` when one is given. Differentiable in x (and bias): the backward
 * multiplies by the dequantized weight.
 */
export function packedLinear(
  x: Tensor,
  p: PackedWeight,
  bias: Tensor | null = null,
  cache: DequantizedCache | null = null,
): Tensor {
  const spec = packedSpec(p, "packedLinear");
  const { inFeatures, outFeatures } = spec;
  if (x.shape[x.rank - 1] !== inFeatures)
    throw new ShapeError(
      `packedLinear: input ${fmt(x.shape)} has ${x.shape[x.rank - 1]} features, the weight expects ${inFeatures}`,
    );
  if (x.device !== p.qweight.device)
    throw new Error(`packedLinear: input is on ${x.device}, the packed weight on ${p.qweight.device}`);
  if (x.dtype !== "float32") throw new DTypeError(`packedLinear: input must be float32, got ${x.dtype}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outFeatures))
    throw new ShapeError(`packedLinear: bias must be [${outFeatures}], got ${fmt(bias.shape)}`);
  const rows = x.size / inFeatures;
  // The forward's temporaries (the flattened input, the un-biased product) are freed here, so a
  // decoding step outside any tidy() leaves nothing on the device.
  const out = tidy(() => {
    const flat = x.detach().reshape([rows, inFeatures]).contiguous();
    const mm: GptqMatmulSpec = { rows, ...spec };
    const direct = quantKernels(p.qweight, "packedLinear").packedMatmul(
      flat.storage,
      p.qweight.storage,
      p.qzeros.storage,
      p.scales.storage,
      p.gIdx.storage,
      mm,
    );
    let y2: Tensor;
    if (direct) y2 = new Tensor(direct, [rows, outFeatures]);
    else {
      const wt = cache ? cache.get(p) : dequantizePackedTransposed(p);
      y2 = matmul(flat, wt);
    }
    const y = y2.reshape([...x.shape.slice(0, -1), outFeatures]);
    return (bias ? y.add(bias.detach()) : y).detach();
  });
  const inputs = bias ? [x, bias] : [x];
  return recordOp("packed_linear", inputs, out, (g) => {
    const g2 = g.reshape([rows, outFeatures]);
    let gx: Tensor | null = null;
    if (x.requiresGrad) {
      const wt = cache ? cache.get(p) : dequantizePackedTransposed(p);
      gx = matmul(g2, wt.transpose(0, 1)).reshape(x.shape);
      if (!cache) wt.dispose();
    }
    const gb = bias?.requiresGrad ? g2.sum(0) : null;
    return bias ? [gx, gb] : [gx];
  });
}

/** The buffers of `p` were written in place: drop what the device prepared from the old ones. */
export function forgetPacked(p: PackedWeight): void {
  quantKernels(p.qweight, "forgetPacked").forgetPacked?.(p.qweight.storage);
}
