import type { DType, TypedArray } from "../../../../dtype.js";
import {
  type Arr,
  type KernelModel,
  kernelArgs,
  noModel,
  SUFFIX_DTYPE,
} from "../../../../testing/cuda/emulator/kernel-model.js";
import type { Storage } from "../../../backend.js";
import { cpuBackend } from "../../../cpu/index.js";
import type { CpuStorage } from "../../../cpu/storage.js";

/*
 * A JavaScript model of norms.cu for the emulated device (test-only): the row kernels through the
 * CPU backend, the chunked parameter-gradient partial sums as plain loops.
 */
export const normsModel: KernelModel = (mem, name, args, grid) => {
  const { num, ptr, arr, store, cpu } = kernelArgs(mem, name, args);
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^(layer_norm|rms_norm)_(fwd|bwd_dx)_(f32|f64)$/))) {
    normKernel(m[1], m[2], SUFFIX_DTYPE[m[3]], arr, num, ptr, store, cpu);
  } else if ((m = name.match(/^norm_bwd_params_(f32|f64)$/))) {
    const t = SUFFIX_DTYPE[m[1]];
    const [rows, cols, perChunk] = [6, 7, 8].map(num);
    const chunks = grid[1];
    if (chunks * perChunk < rows)
      throw new Error(`${name}: ${chunks} chunks of ${perChunk} rows miss some of ${rows}`);
    const X = arr(0, t, rows * cols);
    const M = ptr(1) === 0n ? null : arr(1, t, rows);
    const R = arr(2, t, rows);
    const G = arr(3, t, rows * cols);
    const DW = arr(4, "float64", chunks * cols) as Float64Array;
    const DB = ptr(5) === 0n ? null : (arr(5, "float64", chunks * cols) as Float64Array);
    for (let ch = 0; ch < chunks; ch++) {
      for (let c = 0; c < cols; c++) {
        let dw = 0;
        let db = 0;
        for (let r = ch * perChunk; r < Math.min(rows, (ch + 1) * perChunk); r++) {
          const xh = M
            ? ((X[r * cols + c] as number) - (M[r] as number)) * (R[r] as number)
            : (X[r * cols + c] as number) * (R[r] as number);
          dw += (G[r * cols + c] as number) * xh;
          db += G[r * cols + c] as number;
        }
        DW[ch * cols + c] = dw;
        if (DB) DB[ch * cols + c] = db;
      }
    }
  } else {
    noModel(name);
  }
};

function normKernel(
  kind: string,
  phase: string,
  t: DType,
  arr: Arr,
  num: (i: number) => number,
  ptr: (i: number) => bigint,
  store: (i: number, dtype: DType, s: Storage) => void,
  cpu: (dtype: DType, data: TypedArray) => CpuStorage,
): void {
  const opt = (i: number, n: number) => (ptr(i) === 0n ? null : cpu(t, arr(i, t, n)));
  if (kind === "layer_norm" && phase === "fwd") {
    const [rows, cols, eps] = [6, 7, 8].map(num);
    const r = cpuBackend.layerNorm(
      cpu(t, arr(0, t, rows * cols)),
      opt(1, cols),
      opt(2, cols),
      rows,
      cols,
      eps,
    );
    store(3, t, r.y);
    store(4, t, r.mean);
    store(5, t, r.rstd);
  } else if (kind === "layer_norm") {
    const [rows, cols] = [6, 7].map(num);
    const r = cpuBackend.layerNormBackward(
      cpu(t, arr(0, t, rows * cols)),
      opt(1, cols),
      cpu(t, arr(2, t, rows)),
      cpu(t, arr(3, t, rows)),
      cpu(t, arr(4, t, rows * cols)),
      rows,
      cols,
    );
    store(5, t, r.dx);
  } else if (phase === "fwd") {
    const [rows, cols, eps] = [4, 5, 6].map(num);
    const r = cpuBackend.rmsNorm(cpu(t, arr(0, t, rows * cols)), opt(1, cols), rows, cols, eps);
    store(2, t, r.y);
    store(3, t, r.rstd);
  } else {
    const [rows, cols] = [5, 6].map(num);
    const r = cpuBackend.rmsNormBackward(
      cpu(t, arr(0, t, rows * cols)),
      opt(1, cols),
      cpu(t, arr(2, t, rows)),
      cpu(t, arr(3, t, rows * cols)),
      rows,
      cols,
    );
    store(4, t, r.dx);
  }
}
