import { Tensor } from "@shrinkray/tensor-cuda";
import { roundHalfEven } from "./quantizer.js";
import type { QuantizedWeight } from "./result.js";
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
export function int8Quantize(weight: Tensor, opts: { scaleDtype?: "float32" | "float16" } = {}): Int8Weight {
  const [rows, cols] = checkMatrix(weight, "int8Quantize", "weight");
  const w = floatData(weight);
  const codes = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  const deq = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let absmax = 0;
    for (let c = 0; c < cols; c++) absmax = Math.max(absmax, Math.abs(w[base + c]));
    scales[r] = absmax > 0 ? f(absmax / 127) : 1;
  }
  // A file stores float16 scales: round them first, so the codes are chosen on the grid the
  // file (and every loader) computes with. The clamp keeps a rounded-down scale's ±127.x in range.
  if (opts.scaleDtype === "float16")
    scales.set(Tensor.from(scales, [rows]).cast("float16").cast("float32").dataSync() as Float32Array);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const s = scales[r];
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

/**
 * An int8 weight on GPTQ's symmetric 8-bit grid: code = q + 128 in [0, 255], zero point 128, one
 * group per output channel. The values are the same (scale · q); this is the form a GPTQ
 * checkpoint (bits 8, group_size -1, sym) stores, which transformers, vLLM and GPTQModel read.
 */
export function int8AsGptq(q: Int8Weight): QuantizedWeight {
  const [rows, cols] = q.codes.shape;
  const codes = Int32Array.from(q.codes.dataSync() as Int8Array, (c) => c + 128);
  return {
    dequantized: q.dequantized,
    codes: Tensor.from(codes, [rows, cols]),
    scale: q.scale.reshape([1, rows]),
    zero: Tensor.full([1, rows], 128),
    gIdx: Tensor.from(new Int32Array(cols), [cols]),
    bits: 8,
    groupSize: -1,
    sym: true,
  };
}
