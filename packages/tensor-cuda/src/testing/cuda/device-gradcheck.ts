import type { Device } from "../../backend/backend.js";
import {
  gelu,
  layerNorm,
  logSoftmax,
  matmul,
  rmsNorm,
  scaledDotProductAttention,
  softmax,
} from "../../ops/index.js";
import { Generator } from "../../random.js";
import { Tensor } from "../../tensor.js";

/*
 * Central finite differences in float64 on any device, reading results with await data() (the
 * CPU gradcheck reads synchronously, which a GPU does not allow). loss = Σ f(x)·w for fixed
 * random w; the analytic gradient from backward() must match (loss(x+h) − loss(x−h)) / 2h.
 */

export interface FiniteDifferenceCase {
  name: string;
  shapes: number[][];
  fn: (...xs: Tensor[]) => Tensor;
}

export function finiteDifferenceCases(): FiniteDifferenceCase[] {
  return [
    {
      name: "matmul",
      shapes: [
        [3, 4],
        [4, 5],
      ],
      fn: (a, b) => matmul(a, b),
    },
    { name: "gelu and tanh", shapes: [[10]], fn: (x) => gelu(x).add(x.tanh()) },
    { name: "softmax and log-softmax", shapes: [[3, 6]], fn: (x) => softmax(x, -1).add(logSoftmax(x, -1)) },
    { name: "layer norm with affine", shapes: [[4, 6], [6], [6]], fn: (x, w, b) => layerNorm(x, w, b) },
    { name: "RMS norm", shapes: [[4, 6], [6]], fn: (x, w) => rmsNorm(x, w) },
    {
      name: "causal attention",
      shapes: [
        [1, 2, 3, 4],
        [1, 2, 3, 4],
        [1, 2, 3, 4],
      ],
      fn: (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }),
    },
    {
      name: "broadcast divide and max",
      shapes: [[3, 1], [4]],
      fn: (a, b) => a.div(b.abs().add(1)).maximum(a.mul(b)),
    },
  ];
}

async function scalar(t: Tensor): Promise<number> {
  return Number((await t.data())[0]);
}

export async function gradcheckOnDevice(
  c: FiniteDifferenceCase,
  device: Device,
  eps = 1e-6,
  tol = 1e-5,
): Promise<{ checked: number; maxAbsError: number }> {
  const g = new Generator(1234);
  const hosts = c.shapes.map((s) => Tensor.randn(s, { generator: g, dtype: "float64" }));
  const make = (arrays: Float64Array[], grad: boolean) =>
    arrays.map((a, i) => {
      const t = Tensor.from(a, c.shapes[i], { dtype: "float64" }).to(device);
      return grad ? t.requiresGrad_() : t;
    });
  const base = hosts.map((h) => h.dataSync() as Float64Array);
  const out0 = c.fn(...make(base, false));
  const w = Tensor.randn([...out0.shape], { generator: g, dtype: "float64" }).to(device);
  const loss = (xs: Tensor[]) =>
    c
      .fn(...xs)
      .mul(w)
      .sum();

  const leaves = make(base, true);
  loss(leaves).backward();
  let checked = 0;
  let maxAbsError = 0;
  for (let i = 0; i < leaves.length; i++) {
    const analytic = (await (leaves[i].grad as Tensor).data()) as Float64Array;
    for (let j = 0; j < base[i].length; j++) {
      const plus = base.map((b) => b.slice());
      const minus = base.map((b) => b.slice());
      plus[i][j] += eps;
      minus[i][j] -= eps;
      const numeric =
        ((await scalar(loss(make(plus, false)))) - (await scalar(loss(make(minus, false))))) / (2 * eps);
      const err = Math.abs(numeric - analytic[j]);
      maxAbsError = Math.max(maxAbsError, err);
      if (err > tol * (1 + Math.abs(numeric))) {
        throw new Error(
          `${c.name}: input ${i} element ${j}: analytic ${analytic[j]}, numeric ${numeric} on ${device}`,
        );
      }
      checked++;
    }
  }
  return { checked, maxAbsError };
}
