import { Tensor } from "@shrinkray/tensor-cuda";
import { type GridOptions, groupCount, resolveGrid } from "./options.js";
import { dequantizeCode, gridParams, quantizeCode } from "./quantizer.js";
import type { QuantizedWeight } from "./result.js";
import { checkMatrix, floatData, transpose } from "./util.js";

/**
 * Round-to-nearest on the same grid and groups as GPTQ, with no error feedback: the baseline
 * GPTQ is measured against. Groups are contiguous runs of input columns.
 */
export function rtnQuantize(weight: Tensor, options: GridOptions): QuantizedWeight {
  const grid = resolveGrid(options, "rtnQuantize");
  const { maxq, groupSize: gs, sym } = grid;
  const [rows, cols] = checkMatrix(weight, "rtnQuantize", "weight");
  const wt = transpose(floatData(weight), rows, cols);
  const groups = groupCount(cols, gs);
  const size = gs === -1 ? cols : gs;
  const scales = new Float32Array(groups * rows);
  const zeros = new Float32Array(groups * rows);
  for (let g = 0; g < groups; g++) {
    gridParams(wt, rows, g * size, Math.min((g + 1) * size, cols), maxq, sym, scales, zeros, g * rows);
  }
  const codes = new Int32Array(rows * cols);
  const deq = new Float32Array(rows * cols);
  const gIdx = new Int32Array(cols);
  for (let c = 0; c < cols; c++) {
    const g = Math.floor(c / size);
    gIdx[c] = g;
    for (let r = 0; r < rows; r++) {
      const s = scales[g * rows + r];
      const z = zeros[g * rows + r];
      const q = quantizeCode(wt[c * rows + r], s, z, maxq);
      codes[r * cols + c] = q;
      deq[r * cols + c] = dequantizeCode(q, s, z);
    }
  }
  return {
    dequantized: Tensor.from(deq, [rows, cols]),
    codes: Tensor.from(codes, [rows, cols]),
    scale: Tensor.from(scales, [groups, rows]),
    zero: Tensor.from(zeros, [groups, rows]),
    gIdx: Tensor.from(gIdx, [cols]),
    bits: grid.bits,
    groupSize: gs,
    sym,
  };
}
