import { type KernelModel, noModel } from "../../../../testing/cuda/emulator/kernel-model.js";

/* A JavaScript model of rope.cu for the emulated device (test-only), from rope.abi.ts's formula. */

type Arr = Float32Array | Float64Array;

export const ropeModel: KernelModel = (mem, name, a) => {
  const m = name.match(/^rope_(f32|f64)$/);
  if (!m) noModel(name);
  const t = m[1] === "f32" ? "float32" : "float64";
  const num = (i: number) => Number(a[i]);
  const arr = (i: number, n?: number) => mem.array(a[i] as bigint, t, n, `${name} parameter ${i}`) as Arr;
  const [rows, T, D, sign] = [4, 5, 6, 7].map(num);
  const [X, C, S, Y] = [arr(0, rows * D), arr(1, T * D), arr(2, T * D), arr(3, rows * D)];
  const half = D / 2;
  for (let r = 0; r < rows; r++) {
    const p = r % T;
    for (let d = 0; d < D; d++) {
      const rot = d < half ? -X[r * D + d + half] : X[r * D + d - half];
      Y[r * D + d] = X[r * D + d] * C[p * D + d] + rot * S[p * D + d] * sign;
    }
  }
};
