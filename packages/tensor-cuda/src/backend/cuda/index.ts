import type { DType, TypedArray } from "../../dtype.js";
import type { Backend } from "../backend.js";
import { CudaContext, type CudaContextOptions } from "./context.js";
import { AttentionOps } from "./ops/attention/attention.launch.js";
import { CrossEntropyOps } from "./ops/cross-entropy/cross-entropy.launch.js";
import { ElementwiseOps } from "./ops/elementwise/elementwise.launch.js";
import { GptqOps } from "./ops/gptq/gptq.launch.js";
import { LayoutOps } from "./ops/layout/layout.launch.js";
import { matmul } from "./ops/matmul/matmul.launch.js";
import { NormOps } from "./ops/norms/norms.launch.js";
import { GEMV_MAX_ROWS, QuantOps } from "./ops/quant/quant.launch.js";
import { reduce } from "./ops/reduce/reduce.launch.js";
import { RopeOps } from "./ops/rope/rope.launch.js";
import { SoftmaxOps } from "./ops/softmax/softmax.launch.js";

/*
 * The CUDA backend: the Backend interface on one device. Tensors stay in device memory between
 * ops; only `read` (Tensor.data()) copies back, and there is no readSync, so nothing waits on the
 * device by accident. Each op family (kernel, launcher, ABI rows) lives in ops/<family>/; this
 * file only wires the families to the interface.
 */

export type { MemoryStats } from "./caching-allocator.js";
export type { CudaContextOptions, GemmApi } from "./context.js";
export type { DeviceApi, DeviceInfo } from "./driver.js";
export { CudaError, CudaUnavailableError } from "./errors.js";
export { CudaStorage } from "./storage.js";

export interface CudaBackend extends Backend {
  readonly context: CudaContext;
}

export function createCudaBackend(opts: CudaContextOptions = {}): CudaBackend {
  const c = new CudaContext(opts);
  const ew = new ElementwiseOps(c);
  const layout = new LayoutOps(c, ew);
  const softmax = new SoftmaxOps(c);
  const norms = new NormOps(c, ew);
  const attention = new AttentionOps(c);
  const crossEntropy = new CrossEntropyOps(c);
  const rope = new RopeOps(c);
  const quant = new QuantOps(c, ew);
  const gptq = new GptqOps(c, ew);
  return {
    device: "cuda",
    context: c,
    zeros: (dtype, n) => ew.zeros(dtype, n),
    fromArray: (data: TypedArray, dtype: DType) => c.upload(data, dtype),
    full: (dtype, n, value) => ew.full(dtype, n, value),
    read: (s) => c.downloadAsync(s),
    cast: (s, to) => ew.cast(s, to),
    unary: (op, x) => ew.unary(op, x),
    unaryGrad: (op, x, g) => ew.unaryGrad(op, x, g),
    powScalar: (x, e) => ew.powScalar(x, e),
    clamp: (x, lo, hi) => ew.clamp(x, lo, hi),
    binary: (op, a, av, b, bv, shape) => ew.binary(op, a, av, b, bv, shape),
    where: (cond, cv, a, av, b, bv, shape) => ew.where(cond, cv, a, av, b, bv, shape),
    reduce: (op, x, outer, size, inner) => reduce(c, op, x, outer, size, inner, (d, n) => ew.zeros(d, n)),
    matmul: (a, b, spec, bias) => matmul(c, a, b, spec, bias),
    copyStrided: (x, view) => layout.copyStrided(x, view),
    copyInto: (dst, view, src) => layout.copyInto(dst, view, src),
    gather: (x, index, outer, dimX, dimIdx, inner) => layout.gather(x, index, outer, dimX, dimIdx, inner),
    scatterAdd: (base, index, src, outer, dimX, dimIdx, inner) =>
      layout.scatterAdd(base, index, src, outer, dimX, dimIdx, inner),
    indexSelect: (x, index, outer, dim, inner) => layout.indexSelect(x, index, outer, dim, inner),
    indexAdd: (src, index, outer, dim, inner) => layout.indexAdd(src, index, outer, dim, inner),
    softmax: (x, spec) => softmax.softmax(x, spec),
    softmaxBackward: (y, g, spec) => softmax.softmaxBackward(y, g, spec),
    layerNorm: (x, w, b, rows, cols, eps) => norms.layerNorm(x, w, b, rows, cols, eps),
    layerNormBackward: (x, w, mean, rstd, g, rows, cols) =>
      norms.layerNormBackward(x, w, mean, rstd, g, rows, cols),
    rmsNorm: (x, w, rows, cols, eps) => norms.rmsNorm(x, w, rows, cols, eps),
    rmsNormBackward: (x, w, rstd, g, rows, cols) => norms.rmsNormBackward(x, w, rstd, g, rows, cols),
    adamwStep: (p, g, m, v, h) => ew.adamwStep(p, g, m, v, h),
    attention: (q, k, v, spec) => attention.attention(q, k, v, spec),
    attentionBackward: (q, k, v, out, lse, dout, spec) =>
      attention.attentionBackward(q, k, v, out, lse, dout, spec),
    crossEntropy: (logits, targets, spec) => crossEntropy.crossEntropy(logits, targets, spec),
    crossEntropyBackward: (logits, targets, lse, gloss, spec) =>
      crossEntropy.crossEntropyBackward(logits, targets, lse, gloss, spec),
    rope: (x, cos, sin, rows, positions, dim, inverse) =>
      rope.rope(x, cos, sin, rows, positions, dim, inverse),
    quant: {
      quantGrid: (w, spec) => quant.quantGrid(w, spec),
      fakeQuant: (w, scale, zero, spec, withScaleGrad) =>
        quant.fakeQuant(w, scale, zero, spec, withScaleGrad),
      fakeQuantScaleGrad: (g, ds, spec, gradScale) => quant.fakeQuantScaleGrad(g, ds, spec, gradScale),
      dequantizePacked: (qweight, qzeros, scales, gIdx, spec) =>
        quant.dequantizeGptq(qweight, qzeros, scales, gIdx, spec),
      // The fused GEMV is for decoding; prefill-sized inputs go through cuBLAS on the dequantized weight.
      packedMatmul: (x, qweight, qzeros, scales, gIdx, spec) =>
        spec.rows >= 1 && spec.rows <= GEMV_MAX_ROWS
          ? quant.gptqMatmul(x, qweight, qzeros, scales, gIdx, spec)
          : null,
      gptq: (w, h, spec) => gptq.gptq(w, h, spec),
    },
  };
}
