import { add, indexSelect, matmulNT, nn, permute, reshape, Tensor } from "@shrinkray/tensor-cuda";
import { groupedFlops, groupedParams } from "./counts.js";
import { uniformInit } from "./init.js";
import { type PermutationSpec, permutationTensor } from "./permutation.js";

/**
 * y = blockdiag(W₀ … W_{g-1}) · x[perm] + b with the blocks stored [g, out/g, in/g] — each block
 * laid out as a Linear weight [out, in], so the diagonal blocks of a dense weight copy in as they
 * are. Runs as one batched GEMM over the groups rather than g small ones.
 */
export function groupedLinear(x: Tensor, weight: Tensor, bias: Tensor | null, perm: Tensor | null): Tensor {
  const [groups, outPer, inPer] = weight.shape;
  const inFeatures = groups * inPer;
  if (x.shape[x.rank - 1] !== inFeatures) {
    throw new RangeError(
      `groupedLinear: input [${x.shape.join(", ")}] has ${x.shape[x.rank - 1]} features, expected ${inFeatures}`,
    );
  }
  const lead = x.shape.slice(0, -1);
  // [..., in] → [g, N, in/g] so the groups are the GEMM's batch axis, then back.
  const h = permute(reshape(perm ? indexSelect(x, -1, perm) : x, [-1, groups, inPer]), [1, 0, 2]);
  const y = reshape(permute(matmulNT(h, weight), [1, 0, 2]), [...lead, groups * outPer]);
  return bias ? add(y, bias) : y;
}

export interface GroupedLinearOptions extends nn.InitOptions {
  bias?: boolean;
  /** Which input channels each group reads; default "none" (contiguous slices). */
  permutation?: PermutationSpec;
}

/** A Linear whose weight is block-diagonal: each of `groups` blocks maps in/g inputs to out/g outputs. */
export class GroupedLinear extends nn.Module {
  weight: Tensor;
  bias: Tensor | null;
  /** Input order (int32 [in]), a buffer so that checkpoints carry it; null when contiguous. */
  perm: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly groups: number,
    opts: GroupedLinearOptions = {},
  ) {
    super();
    groupedParams(inFeatures, outFeatures, groups, false); // validates the shape
    const inPer = inFeatures / groups;
    // Each block initialised as a Linear of in/g inputs would be (PyTorch's bound 1/√fan_in).
    const bound = 1 / Math.sqrt(inPer);
    this.weight = this.param("weight", uniformInit([groups, outFeatures / groups, inPer], bound, opts));
    this.bias = opts.bias === false ? null : this.param("bias", uniformInit([outFeatures], bound, opts));
    const perm = permutationTensor(opts.permutation, inFeatures, groups);
    this.perm = perm ? this.buffer("perm", perm) : null;
  }

  forward(x: Tensor): Tensor {
    return groupedLinear(x, this.weight, this.bias, this.perm);
  }

  /** The equivalent dense weight [out, in] (zeros off the blocks, columns in original order). */
  denseWeight(): Tensor {
    const [g, outPer, inPer] = this.weight.shape;
    const w = this.weight.cast("float64").dataSync() as Float64Array;
    const p = this.perm ? (this.perm.dataSync() as Int32Array) : null;
    const d = new Float64Array(this.outFeatures * this.inFeatures);
    for (let b = 0; b < g; b++) {
      for (let o = 0; o < outPer; o++) {
        for (let k = 0; k < inPer; k++) {
          const j = b * inPer + k;
          d[(b * outPer + o) * this.inFeatures + (p ? p[j] : j)] = w[(b * outPer + o) * inPer + k];
        }
      }
    }
    return Tensor.from(d, [this.outFeatures, this.inFeatures], { dtype: "float64" }).cast(this.weight.dtype);
  }

  numParametersFormula(): number {
    return groupedParams(this.inFeatures, this.outFeatures, this.groups, this.bias !== null);
  }

  flopsPerToken(): number {
    return groupedFlops(this.inFeatures, this.outFeatures, this.groups, this.bias !== null);
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, groups=${this.groups}, bias=${this.bias !== null}, permuted=${this.perm !== null}`;
  }
}
