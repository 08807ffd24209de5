import type { Device } from "../../backend/backend.js";
import { attentionParity } from "../../backend/cuda/ops/attention/attention.parity.js";
import { crossEntropyParity } from "../../backend/cuda/ops/cross-entropy/cross-entropy.parity.js";
import { elementwiseParity } from "../../backend/cuda/ops/elementwise/elementwise.parity.js";
import { layoutParity } from "../../backend/cuda/ops/layout/layout.parity.js";
import { matmulParity } from "../../backend/cuda/ops/matmul/matmul.parity.js";
import { normsParity } from "../../backend/cuda/ops/norms/norms.parity.js";
import { quantParity } from "../../backend/cuda/ops/quant/quant.parity.js";
import { reduceParity } from "../../backend/cuda/ops/reduce/reduce.parity.js";
import { ropeParity } from "../../backend/cuda/ops/rope/rope.parity.js";
import { softmaxParity } from "../../backend/cuda/ops/softmax/softmax.parity.js";
import type { TypedArray } from "../../dtype.js";
import type { Tensor } from "../../tensor.js";
import type { AddParityCase, ParityCase } from "./parity-case.js";

/*
 * Every CUDA op family's parity cases (ops/<family>/<family>.parity.ts), and the comparison that
 * runs one on the CPU and on a device. They run against the emulated devices everywhere
 * (checking the CUDA backend's host code, and with the compiled kernels the CUDA C itself) and
 * against a real GPU where one exists (cuda-device.test.ts, scripts/gpu/check.ts).
 */

const FAMILIES: ((add: AddParityCase) => void)[] = [
  elementwiseParity,
  reduceParity,
  matmulParity,
  layoutParity,
  softmaxParity,
  crossEntropyParity,
  normsParity,
  attentionParity,
  ropeParity,
  quantParity,
];

export function parityCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  const add: AddParityCase = (name, run, tol = {}) => {
    if (cases.some((c) => c.name === name)) throw new Error(`parity case "${name}" declared twice`);
    cases.push({ name, run, ...tol });
  };
  for (const family of FAMILIES) family(add);
  return cases;
}

/** Host copies as float64 (int64 through Number, bools as 0/1) for comparison. */
export async function hostValues(t: Tensor): Promise<Float64Array> {
  const d: TypedArray = await t.data();
  if (d instanceof BigInt64Array) return Float64Array.from(d, Number);
  if (t.dtype === "float16" || t.dtype === "bfloat16") return hostValues(t.cast("float32"));
  return Float64Array.from(d as Float32Array);
}

/** The first element where |a − b| > atol + rtol·|b| (NaNs must match), or null. */
export function firstMismatch(
  a: Float64Array,
  b: Float64Array,
  atol: number,
  rtol: number,
): { index: number; got: number; want: number } | null {
  if (a.length !== b.length) return { index: -1, got: a.length, want: b.length };
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return { index: i, got: x, want: y };
      continue;
    }
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return { index: i, got: x, want: y };
  }
  return null;
}

/** Runs one case on the CPU and on `device`; throws an Error naming the output and element that differ. */
export async function checkParity(c: ParityCase, device: Device): Promise<number> {
  const want = c.run("cpu");
  const got = c.run(device);
  if (want.length !== got.length)
    throw new Error(`${c.name}: ${got.length} outputs on ${device}, ${want.length} on cpu`);
  let compared = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i].device !== device)
      throw new Error(`${c.name}: output ${i} is on ${got[i].device}, not ${device}`);
    if (got[i].dtype !== want[i].dtype) {
      throw new Error(`${c.name}: output ${i} is ${got[i].dtype} on ${device}, ${want[i].dtype} on cpu`);
    }
    const a = await hostValues(got[i]);
    const b = await hostValues(want[i]);
    const tol = got[i].dtype === "float64" ? { atol: 1e-10, rtol: 1e-9 } : { atol: 1e-5, rtol: 1e-4 };
    const bad = firstMismatch(a, b, c.atol ?? tol.atol, c.rtol ?? tol.rtol);
    if (bad) {
      throw new Error(
        `${c.name}: output ${i} (${got[i].dtype} [${got[i].shape}]) differs at element ${bad.index}: ${device} ${bad.got}, cpu ${bad.want}`,
      );
    }
    compared += a.length;
  }
  return compared;
}
