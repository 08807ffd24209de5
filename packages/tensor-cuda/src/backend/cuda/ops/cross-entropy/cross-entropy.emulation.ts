import type { DType, TypedArray } from "../../../../dtype.js";
import type { DeviceMemory } from "../../../../testing/cuda/emulator/device-memory.js";
import { type KernelModel, noModel } from "../../../../testing/cuda/emulator/kernel-model.js";
import { ERROR_OPS } from "../../kernel-abi.js";
import type { KernelArg } from "../../params.js";

/*
 * A JavaScript model of cross_entropy.cu for the emulated device (test-only), in float64 from the
 * formulas in cross-entropy.abi.ts; an out-of-range target sets the device error word.
 */

type Arr = Float32Array | Float64Array;

export const crossEntropyModel: KernelModel = (mem, name, a) => {
  const m = name.match(/^cross_entropy_(fwd|bwd)_(f32|f64)$/);
  if (!m) noModel(name);
  const t: DType = m[2] === "f32" ? "float32" : "float64";
  const num = (i: number) => Number(a[i]);
  const arr = (i: number, n?: number) => mem.array(a[i] as bigint, t, n, `${name} parameter ${i}`) as Arr;
  const ints = (i: number, n: number) =>
    mem.array(a[i] as bigint, "int32", n, `${name} parameter ${i}`) as TypedArray as Int32Array;
  crossEntropy(mem, m[1] === "fwd", a, num, arr, ints);
};

function crossEntropy(
  mem: DeviceMemory,
  forward: boolean,
  a: readonly KernelArg[],
  num: (i: number) => number,
  arr: (i: number, n?: number) => Arr,
  ints: (i: number, n: number) => Int32Array,
): void {
  const [rows, V, ignore, eps] = (forward ? [4, 5, 6, 7] : [5, 6, 7, 8]).map(num);
  const X = arr(0, rows * V);
  const tgt = ints(1, rows);
  if (forward) {
    const [loss, lse] = [arr(2, rows), arr(3, rows)];
    const err = mem.array(a[8] as bigint, "int32", 4, "cross_entropy error word") as Int32Array;
    for (let r = 0; r < rows; r++) {
      let mx = Number.NEGATIVE_INFINITY;
      let sum = 0;
      for (let j = 0; j < V; j++) if (X[r * V + j] > mx) mx = X[r * V + j];
      if (mx === Number.NEGATIVE_INFINITY) mx = 0;
      let s = 0;
      for (let j = 0; j < V; j++) {
        s += Math.exp(X[r * V + j] - mx);
        sum += X[r * V + j];
      }
      const l = mx + Math.log(s);
      lse[r] = l;
      const t = tgt[r];
      if (t === ignore) loss[r] = 0;
      else if (t < 0 || t >= V) {
        if (err[0] === 0) err.set([1, ERROR_OPS.cross_entropy, t, V]);
        loss[r] = 0;
      } else loss[r] = (1 - eps) * (l - X[r * V + t]) + eps * (l - sum / V);
    }
    return;
  }
  const [lse, g, dX] = [arr(2, rows), arr(3, rows), arr(4, rows * V)];
  for (let r = 0; r < rows; r++) {
    const t = tgt[r];
    const valid = t !== ignore && t >= 0 && t < V;
    for (let j = 0; j < V; j++) {
      dX[r * V + j] = valid
        ? g[r] * (Math.exp(X[r * V + j] - lse[r]) - (1 - eps) * (j === t ? 1 : 0) - eps / V)
        : 0;
    }
  }
}
