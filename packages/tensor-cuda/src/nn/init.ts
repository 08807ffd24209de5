import type { Device } from "../backend/backend.js";
import { defaultGenerator, type Generator } from "../random.js";
import { Tensor } from "../tensor.js";

/** Where new parameters are made, and from which random stream (seeded init is reproducible). */
export interface InitOptions {
  generator?: Generator;
  device?: Device;
}

/** U(-bound, bound) in float32, drawn from `generator` in row-major order. */
export function uniformInit(shape: readonly number[], bound: number, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (2 * g.uniform() - 1) * bound;
  return Tensor.from(a, shape, { device: opts.device });
}

/** N(0, std²) in float32. */
export function normalInit(shape: readonly number[], std: number, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = g.normal() * std;
  return Tensor.from(a, shape, { device: opts.device });
}
