import { Tensor } from "@shrinkray/tensor-cuda";
import { roundHalfEven } from "./quantizer.js";
import { checkMatrix, floatData } from "./util.js";

/** int8 weight-only quantization: codes [out, in] and one float32 scale per output row. */
export interface Int8Weight {
  /** int8 [out, in] in [-128, 127]. */
  codes: Tensor;
  /** float32 [out]. */
  scale: Tensor;
  /** float32 [out, in] = codes · scale. */
  dequantized: Tensor;
}

const f = Math.fround;

/**
 * Symmetric absmax int8 per output channel, optimum-quanto's recipe for weights: scale =
 * max|w| / 127, code = clamp(round(w / scale), -128, 127). A row of zeros gets scale 1 (codes 0)
 * rather than quanto's 0/0.
 */
export function int8Quantize(weight: Tensor): Int8Weight {
  const [rows, cols] = checkMatrix(weight, "int8Quantize", "weight");
  const w = floatData(weight);
  const codes = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  const deq = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let absmax = 0;
    for (let c = 0; c < cols; c++) absmax = Math.max(absmax, Math.abs(w[base + c]));
    const s = absmax > 0 ? f(absmax / 127) : 1;
    scales[r] = s;
    for (let c = 0; c < cols; c++) {
      const q = Math.min(127, Math.max(-128, roundHalfEven(f(w[base + c] / s))));
      codes[base + c] = q;
      deq[base + c] = f(q * s);
    }
  }
  return {
    codes: Tensor.from(codes, [rows, cols]),
    scale: Tensor.from(scales, [rows]),
    dequantized: Tensor.from(deq, [rows, cols]),
  };
}
