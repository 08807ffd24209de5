import { linalg, quant, ShapeError, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { type GridOptions, type ResolvedGrid, resolveGrid } from "./options.js";
import type { QuantizedWeight } from "./result.js";
import { checkMatrix } from "./util.js";

export interface GptqOptions extends GridOptions {
  /** Quantize columns in order of decreasing Hessian diagonal ("desc_act"); default false. */
  actOrder?: boolean;
  /** Fix every group's grid from the weights before any update (needed to pack act-order models
   * with contiguous groups); default false. */
  staticGroups?: boolean;
  /** Columns per lazy batch update; default 128. */
  blockSize?: number;
  /** Damping added to the diagonal, as a fraction of its mean; default 0.01. */
  percDamp?: number;
}

export interface GptqResult extends QuantizedWeight {
  /** Σ (w − q)² / (2·[H⁻¹]ᵢᵢ), the objective GPTQ minimises (the reference prints it as "error"). */
  loss: number;
  /** Column order quantized in (identity without act-order). */
  perm: Int32Array;
}

/**
 * GPTQ (Frantar et al., 2022) on one [out, in] weight given its calibration Hessian [in, in]:
 * columns are quantized one at a time and each one's error is spread over the columns not yet
 * quantized through the upper Cholesky factor of H⁻¹; updates beyond the current block are
 * deferred and applied as one GEMM per block. The solve is tensor-cuda's `quant.gptqSolve`, run
 * by the weight's backend; on the CPU its arithmetic follows the IST-DASLab reference in float32
 * step for step, so the result matches it code for code except where rounding decides a tie.
 * Synchronous, for CPU tensors; gptqQuantizeAsync takes any device.
 */
export function gptqQuantize(weight: Tensor, hessian: Tensor, options: GptqOptions): GptqResult {
  const where = "gptqQuantize";
  if (weight.device !== "cpu" || hessian.device !== "cpu")
    throw new Error(`${where}: the weight is on ${weight.device}; use gptqQuantizeAsync off the CPU`);
  const diagonal = options.actOrder ? readAndFree(hessianDiagonal(hessian, where)) : null;
  const job = startSolve(weight, hessian, options, where, diagonal);
  return job.finish(job.solution.info.dataSync() as Int32Array, job.solution.loss.dataSync() as Float64Array);
}

function readAndFree(t: Tensor): Float32Array {
  const d = t.dataSync() as Float32Array;
  t.dispose();
  return d;
}

/** What gptqQuantize and gptqQuantizeAsync share: everything but how values are read back. */
export interface SolveJob {
  solution: quant.GptqSolution;
  /** Builds the result from the solve's info and per-row losses (and frees what is not kept). */
  finish(info: Int32Array, losses: Float64Array): GptqResult;
}

/**
 * Checks the inputs, works out the column order (act-order from H's diagonal, read by the caller
 * from hessianDiagonal) and starts the solve on the weight's device.
 */
export function startSolve(
  weight: Tensor,
  hessian: Tensor,
  options: GptqOptions,
  where: string,
  diagonal: Float32Array | null,
): SolveJob {
  const opts = resolveGptqOptions(options, where);
  const [, cols] = checkGptqInputs(weight, hessian, where);
  if (weight.device !== hessian.device)
    throw new Error(`${where}: weight is on ${weight.device} but hessian is on ${hessian.device}`);
  const { grid } = opts;
  let perm: Int32Array | null = null;
  if (opts.actOrder) {
    if (!diagonal) throw new Error(`${where}: act-order needs the Hessian's diagonal`);
    const d = diagonal.slice();
    // A dead column's zero pivot is sorted as the unit pivot it is given.
    for (let i = 0; i < cols; i++) if (d[i] === 0) d[i] = 1;
    perm = actOrderPermutation(d);
  }
  const w = weight.dtype === "float32" ? weight : weight.cast("float32");
  const h = hessian.dtype === "float32" ? hessian : hessian.cast("float32");
  const solution = quant.gptqSolve(w, h, {
    maxq: grid.maxq,
    sym: grid.sym,
    groupSize: grid.groupSize,
    staticGroups: opts.staticGroups,
    blockSize: opts.blockSize,
    percDamp: opts.percDamp,
    perm,
  });
  if (w !== weight) w.dispose();
  if (h !== hessian) h.dispose();
  const order = perm ?? Int32Array.from({ length: cols }, (_, i) => i);
  return {
    solution,
    finish(info, losses) {
      const { dequantized, codes, scale, zero } = solution;
      solution.loss.dispose();
      solution.info.dispose();
      const failed = info[0];
      if (failed !== 0) {
        for (const t of [dequantized, codes, scale, zero]) t.dispose();
        // The pivot counts rows of the reversed matrix in quantization order.
        const column = order[cols - failed];
        throw new linalg.NotPositiveDefiniteError(
          `${where}: the damped Hessian is not positive definite (the factorisation failed at column ${column}); raise options.percDamp`,
          column,
        );
      }
      let loss = 0;
      for (const l of losses) loss += l;
      const gIdx = groupIndex(order, grid.groupSize, opts.actOrder && !opts.staticGroups);
      return {
        dequantized,
        codes,
        scale,
        zero,
        gIdx: Tensor.from(gIdx, [cols]).to(weight.device),
        bits: grid.bits,
        groupSize: grid.groupSize,
        sym: grid.sym,
        loss: loss / 2,
        perm: order,
      };
    },
  };
}

/** H's diagonal [in] as float32, gathered on H's device (the caller reads it back). */
export function hessianDiagonal(h: Tensor, where: string): Tensor {
  if (h.rank !== 2 || h.shape[0] !== h.shape[1])
    throw new ShapeError(`${where}: hessian must be square, got [${h.shape.join(", ")}]`);
  const n = h.shape[0];
  return tidy(() =>
    h
      .reshape([n * n])
      .gather(
        0,
        Tensor.from(
          Int32Array.from({ length: n }, (_, i) => i * (n + 1)),
          [n],
        ).to(h.device),
      )
      .cast("float32"),
  );
}

export interface ResolvedGptqOptions {
  grid: ResolvedGrid;
  actOrder: boolean;
  /** Only ever true with groups. */
  staticGroups: boolean;
  blockSize: number;
  percDamp: number;
}

/** GptqOptions with defaults filled in, or a RangeError naming the bad field. */
export function resolveGptqOptions(options: GptqOptions, where: string): ResolvedGptqOptions {
  const grid = resolveGrid(options, where);
  const blockSize = options.blockSize ?? 128;
  const percDamp = options.percDamp ?? 0.01;
  if (!(Number.isInteger(blockSize) && blockSize > 0)) {
    throw new RangeError(`${where}: options.blockSize must be a positive integer, got ${blockSize}`);
  }
  if (!(Number.isFinite(percDamp) && percDamp >= 0)) {
    throw new RangeError(`${where}: options.percDamp must be a finite number >= 0, got ${percDamp}`);
  }
  return {
    grid,
    actOrder: options.actOrder ?? false,
    staticGroups: (options.staticGroups ?? false) && grid.groupSize !== -1,
    blockSize,
    percDamp,
  };
}

/** [rows, cols] of the weight, after checking that the Hessian is [cols, cols]. */
export function checkGptqInputs(weight: Tensor, hessian: Tensor, where: string): [number, number] {
  const [rows, cols] = checkMatrix(weight, where, "weight");
  checkMatrix(hessian, where, "hessian");
  if (hessian.shape[0] !== hessian.shape[1]) {
    throw new ShapeError(`${where}: hessian must be square, got [${hessian.shape.join(", ")}]`);
  }
  if (hessian.shape[0] !== cols) {
    throw new ShapeError(
      `${where}: hessian is [${hessian.shape.join(", ")}] but weight has ${cols} input columns`,
    );
  }
  if (rows === 0 || cols === 0) {
    throw new ShapeError(`${where}: weight is empty ([${rows}, ${cols}])`);
  }
  return [rows, cols];
}

/**
 * act-order ("desc_act"): a stable descending sort of the Hessian's diagonal (dead columns
 * already given their unit pivot), so the most-activated columns go first, while the most error
 * can still be absorbed by the rest.
 */
export function actOrderPermutation(diag: Float32Array): Int32Array {
  const perm = Int32Array.from({ length: diag.length }, (_, i) => i);
  return perm.sort((a, b) => diag[b] - diag[a] || a - b);
}

/** Each original column's group: by position in quantization order unless groups are static. */
export function groupIndex(perm: Int32Array, groupSize: number, groupsInPermutedOrder: boolean): Int32Array {
  const gIdx = new Int32Array(perm.length);
  if (groupSize === -1) return gIdx;
  for (let c = 0; c < perm.length; c++) {
    const oc = perm[c];
    gIdx[oc] = Math.floor((groupsInPermutedOrder ? c : oc) / groupSize);
  }
  return gIdx;
}
