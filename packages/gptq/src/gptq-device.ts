import { linalg, quant, Tensor, type Tensor as TensorType, tidy } from "@shrinkray/tensor-cuda";
import {
  actOrderPermutation,
  checkGptqInputs,
  type GptqOptions,
  type GptqResult,
  gptqQuantize,
  groupIndex,
  resolveGptqOptions,
} from "./gptq.js";

/**
 * GPTQ where the weight lives: on the host this is gptqQuantize; on a device with a fused GPTQ
 * (tensor-cuda's CUDA backend) the Hessian, its float64 Cholesky factorisation and inverse, and
 * the column loop all stay on the device, and the result's tensors are on the device too. Only
 * the Hessian's diagonal (for act-order) and the per-row losses come back.
 *
 * The device path rounds like the host one step for step except where the algorithm's order
 * differs (the float64 factorisation's sums, the GEMM that carries each block's error forward),
 * so a few codes that sit on a rounding boundary can differ from gptqQuantize's.
 */
export async function gptqQuantizeAsync(
  weight: TensorType,
  hessian: TensorType,
  options: GptqOptions,
): Promise<GptqResult> {
  const where = "gptqQuantizeAsync";
  if (weight.device === "cpu" && hessian.device === "cpu") return gptqQuantize(weight, hessian, options);
  if (weight.device !== hessian.device) {
    throw new Error(`${where}: weight is on ${weight.device} but hessian is on ${hessian.device}`);
  }
  const opts = resolveGptqOptions(options, where);
  const [, cols] = checkGptqInputs(weight, hessian, where);
  if (!quant.hasGptqSolve(weight))
    throw new Error(`${where}: the ${weight.device} backend has no fused GPTQ`);
  const { grid } = opts;

  const w = weight.dtype === "float32" ? weight : weight.cast("float32");
  const h = hessian.dtype === "float32" ? hessian : hessian.cast("float32");
  try {
    let perm: Int32Array | null = null;
    if (opts.actOrder) {
      const diagonal = tidy(() => h.reshape([cols * cols]).gather(0, diagonalIndex(cols, h.device)));
      const diag = (await diagonal.data()) as Float32Array;
      diagonal.dispose();
      // A dead column's zero pivot is sorted as the unit pivot it is given.
      for (let i = 0; i < cols; i++) if (diag[i] === 0) diag[i] = 1;
      perm = actOrderPermutation(diag);
    }
    const out = quant.gptqSolve(w, h, {
      maxq: grid.maxq,
      sym: grid.sym,
      groupSize: grid.groupSize,
      staticGroups: opts.staticGroups,
      blockSize: opts.blockSize,
      percDamp: opts.percDamp,
      perm,
    });
    const result = { dequantized: out.dequantized, codes: out.codes, scale: out.scale, zero: out.zero };
    const lossRows = out.loss;
    const info = out.info;
    const identity = Int32Array.from({ length: cols }, (_, i) => i);
    try {
      const [failed] = (await info.data()) as Int32Array;
      if (failed !== 0) {
        // The pivot counts rows of the reversed matrix in quantization order.
        const column = (perm ?? identity)[cols - failed];
        throw new linalg.NotPositiveDefiniteError(
          `${where}: the damped Hessian is not positive definite (the factorisation failed at column ${column}); raise options.percDamp`,
          column,
        );
      }
      const losses = (await lossRows.data()) as Float64Array;
      let loss = 0;
      for (const l of losses) loss += l;
      const order = perm ?? identity;
      const gIdx = groupIndex(order, grid.groupSize, opts.actOrder && !opts.staticGroups);
      return {
        ...result,
        gIdx: Tensor.from(gIdx, [cols]).to(weight.device),
        bits: grid.bits,
        groupSize: grid.groupSize,
        sym: grid.sym,
        loss: loss / 2,
        perm: order,
      };
    } catch (e) {
      for (const t of Object.values(result)) t.dispose();
      throw e;
    } finally {
      lossRows.dispose();
      info.dispose();
    }
  } finally {
    if (w !== weight) w.dispose();
    if (h !== hessian) h.dispose();
  }
}

/** Flat indices of the diagonal of an n×n matrix, on `device`. */
function diagonalIndex(n: number, device: TensorType["device"]): TensorType {
  return Tensor.from(
    Int32Array.from({ length: n }, (_, i) => i * (n + 1)),
    [n],
  ).to(device);
}
