import { quant } from "@shrinkray/tensor-cuda";
import { checkGroupSize, type QuantSpec } from "./bits.js";

/**
 * Scales and zero points of a weight [out, in], one per (group, output channel), laid out
 * [groups, out] as GPTQ checkpoints store them. Groups are contiguous runs of `groupSize` input
 * columns (the last may be shorter); -1 makes one group per channel.
 */
export interface Grid {
  scale: Float32Array;
  zero: Float32Array;
  groups: number;
  /** Columns per group, resolved (`in` when per channel). */
  groupLen: number;
  maxq: number;
}

export const groupLength = quant.groupLength;

/**
 * The min-max grid, computed by the `gridParams` gptq also uses so that fake quantization here and the
 * checkpoint gptq writes agree to the last bit (the export test relies on it).
 */
export function minMaxGrid(w: Float32Array, out: number, inF: number, spec: QuantSpec): Grid {
  checkGroupSize(spec.groupSize, "minMaxGrid");
  const maxq = 2 ** spec.bits - 1;
  const groupLen = groupLength(inF, spec.groupSize);
  const groups = Math.ceil(inF / groupLen);
  // gridParams reads the weight transposed ([in, out]), the layout GPTQ works in.
  const wt = new Float32Array(out * inF);
  for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) wt[i * out + o] = w[o * inF + i];
  const scale = new Float32Array(groups * out);
  const zero = new Float32Array(groups * out);
  for (let g = 0; g < groups; g++) {
    const c1 = Math.min((g + 1) * groupLen, inF);
    quant.gridParams(wt, out, g * groupLen, c1, maxq, spec.sym, scale, zero, g * out);
  }
  return { scale, zero, groups, groupLen, maxq };
}
