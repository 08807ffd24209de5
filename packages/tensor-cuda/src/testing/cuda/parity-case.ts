import type { Device } from "../../backend/backend.js";
import type { DType } from "../../dtype.js";
import { Generator } from "../../random.js";
import { Tensor } from "../../tensor.js";

/*
 * A parity case runs the same computation on the CPU and on "cuda"; every output and gradient it
 * returns is compared (parity.ts). Each op family writes its cases beside its kernel
 * (ops/<family>/<family>.parity.ts) with the helpers here, inputs made the same on every device.
 */

export interface ParityCase {
  name: string;
  /** Returns the tensors to compare (forward outputs and gradients), all on `device`. */
  run(device: Device): Tensor[];
  atol?: number;
  rtol?: number;
}

/** A random tensor made on the CPU from `seed` and moved to `device`, the same on every device. */
export function input(
  device: Device,
  shape: number[],
  seed: number,
  opts: { dtype?: DType; grad?: boolean; scale?: number; shift?: number } = {},
): Tensor {
  const g = new Generator(seed);
  let t = Tensor.randn(shape, { generator: g, dtype: opts.dtype === "float64" ? "float64" : undefined });
  if (opts.scale !== undefined || opts.shift !== undefined) t = t.mul(opts.scale ?? 1).add(opts.shift ?? 0);
  if (opts.dtype && opts.dtype !== t.dtype) t = t.cast(opts.dtype);
  t = t.to(device);
  return opts.grad ? t.requiresGrad_() : t;
}

export function ints(device: Device, values: number[], shape: number[], dtype: DType = "int32"): Tensor {
  const arr = dtype === "int64" ? BigInt64Array.from(values.map(BigInt)) : Int32Array.from(values);
  return Tensor.from(arr, shape, { dtype }).to(device);
}

/** loss = Σ y·w for fixed random w, then backward: every gradient path is exercised. */
function backward(y: Tensor, seed: number): void {
  const w = input(y.device, [...y.shape], seed, { dtype: y.dtype });
  y.mul(w).sum().backward();
}

export function withGrads(outs: Tensor[], leaves: Tensor[], seed = 99): Tensor[] {
  backward(outs[0], seed);
  return [...outs, ...leaves.map((l) => l.grad as Tensor)];
}

/** How a family's parity file declares a case (ops/<family>/<family>.parity.ts). */
export type AddParityCase = (name: string, run: (d: Device) => Tensor[], tol?: Partial<ParityCase>) => void;
