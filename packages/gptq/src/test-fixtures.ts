/*
 * Test-only access to ../shared/fixtures/gptq: a minimal safetensors reader (F32, I32) so the
 * tests need nothing but node:fs, and the agreement measures the fixture bar is stated in.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Tensor } from "@shrinkray/tensor-cuda";
import type { QuantizedWeight } from "./result.js";

export const FIXTURES = fileURLToPath(new URL("../../../../shared/fixtures/gptq/", import.meta.url));
export const haveFixtures = existsSync(`${FIXTURES}index.json`);
export const SKIP_MESSAGE = `GPTQ fixtures not found at ${FIXTURES} (a clone without ../shared): skipping`;

export interface FixtureConfig {
  name: string;
  bits: 2 | 3 | 4 | 8;
  sym: boolean;
  groupsize: number;
  actorder: boolean;
  static_groups: boolean;
  blocksize: number;
  percdamp: number;
  output_error_gptq: number;
  output_error_rtn: number;
}

export function fixtureIndex(): FixtureConfig[] {
  return JSON.parse(readFileSync(`${FIXTURES}index.json`, "utf8"));
}

export function readSafetensors(file: string): Map<string, Tensor> {
  const buf = readFileSync(file.startsWith("/") ? file : `${FIXTURES}${file}`);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
  const out = new Map<string, Tensor>();
  for (const [name, info] of Object.entries<any>(header)) {
    if (name === "__metadata__") continue;
    const [a, b] = info.data_offsets as [number, number];
    const bytes = buf.buffer.slice(buf.byteOffset + 8 + n + a, buf.byteOffset + 8 + n + b);
    const data =
      info.dtype === "F32" ? new Float32Array(bytes) : info.dtype === "I32" ? new Int32Array(bytes) : null;
    if (!data) throw new Error(`${file}: ${name} has dtype ${info.dtype}; the test reader knows F32 and I32`);
    out.set(name, Tensor.from(data, info.shape));
  }
  return out;
}

/** ||X (Wq − W)ᵀ||² in float64, X the calibration flattened to [tokens, in]. */
export function outputError(x: Tensor, w: Tensor, wq: Tensor): number {
  const [rows, cols] = w.shape;
  const X = x.dataSync() as Float32Array;
  const W = w.dataSync() as Float32Array;
  const Q = wq.dataSync() as Float32Array;
  const d = new Float64Array(rows * cols);
  for (let i = 0; i < d.length; i++) d[i] = Q[i] - W[i];
  const tokens = X.length / cols;
  let sum = 0;
  for (let t = 0; t < tokens; t++) {
    for (let r = 0; r < rows; r++) {
      let y = 0;
      for (let c = 0; c < cols; c++) y += X[t * cols + c] * d[r * cols + c];
      sum += y * y;
    }
  }
  return sum;
}

/** Elementwise agreement of two equally shaped float tensors. */
export function agreement(a: Tensor, b: Tensor): { maxDiff: number; nDiff: number } {
  const x = a.dataSync() as Float32Array;
  const y = b.dataSync() as Float32Array;
  let maxDiff = 0;
  let nDiff = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (d > 0) nDiff++;
    if (d > maxDiff) maxDiff = d;
  }
  return { maxDiff, nDiff };
}

/**
 * Element-for-element agreement with a reference dequantized weight, measured in grid steps:
 * `stepOff` counts elements whose codes differ (by one step: a tie float rounding decided),
 * `maxUlpDiff` is the largest difference among the rest (the scale's last bit).
 */
export function stepAgreement(q: QuantizedWeight, ref: Tensor) {
  const [rows, cols] = q.dequantized.shape;
  const ours = q.dequantized.dataSync() as Float32Array;
  const theirs = ref.dataSync() as Float32Array;
  const scale = q.scale.dataSync() as Float32Array;
  const gIdx = q.gIdx.dataSync() as Int32Array;
  let maxDiff = 0;
  let maxSteps = 0;
  let stepOff = 0;
  let maxRel = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = Math.abs(ours[r * cols + c] - theirs[r * cols + c]);
      const steps = d / scale[gIdx[c] * rows + r];
      maxDiff = Math.max(maxDiff, d);
      maxSteps = Math.max(maxSteps, Math.round(steps));
      if (steps > 0.5) stepOff++;
      else maxRel = Math.max(maxRel, steps);
    }
  }
  return { maxDiff, maxSteps, stepOff, maxRelToStep: maxRel };
}
