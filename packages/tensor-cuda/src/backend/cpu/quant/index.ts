import type { QuantKernels } from "../../backend.js";
import { gptq } from "./gptq.js";
import { fakeQuant, fakeQuantScaleGrad, quantGrid } from "./grid.js";
import { forgetPacked, packedMatmul } from "./nbits.js";
import { dequantizePacked } from "./unpack.js";

/** The CPU's quantization kernels (see QuantKernels). */
export const cpuQuantKernels: QuantKernels = {
  quantGrid,
  fakeQuant,
  fakeQuantScaleGrad,
  dequantizePacked,
  packedMatmul,
  forgetPacked,
  gptq,
};
