import { describe, expect, it } from "vitest";
import type { MatmulSpec } from "../backend.js";
import { blasDgemm, blasSgemm } from "./blas.js";
import { dgemmReference, ortDgemm, ortSgemm } from "./gemm.js";
import { cpuBackend } from "./index.js";
import { CpuStorage } from "./storage.js";

// Both GEMM providers of each precision (onnxruntime's MLAS and a system BLAS) against a float64 loop,
// for every transpose / batching combination the ops produce.
function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

const cases: MatmulSpec[] = [];
for (const transA of [false, true])
  for (const transB of [false, true])
    for (const [aBatched, bBatched] of [
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ])
      cases.push({
        batch: aBatched || bBatched ? 3 : 1,
        m: 5,
        k: 7,
        n: 4,
        transA,
        transB,
        aBatched,
        bBatched,
      });

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe("float32 GEMM providers", () => {
  for (const spec of cases) {
    const name = `transA=${spec.transA} transB=${spec.transB} aBatched=${spec.aBatched} bBatched=${spec.bBatched}`;
    it(name, () => {
      const a = rand((spec.aBatched ? spec.batch : 1) * spec.m * spec.k, 1);
      const b = rand((spec.bBatched ? spec.batch : 1) * spec.k * spec.n, 2);
      const ref = dgemmReference(Float64Array.from(a), Float64Array.from(b), spec);
      expect(maxDiff(ortSgemm(a, b, spec), ref)).toBeLessThan(1e-5);
      const viaBlas = blasSgemm(a, b, spec);
      if (viaBlas) expect(maxDiff(viaBlas, ref)).toBeLessThan(1e-5);
    });
  }

  it("adds a bias to every output row (fused into C with the BLAS, added after with MLAS)", () => {
    const spec: MatmulSpec = {
      batch: 1,
      m: 6,
      k: 3,
      n: 4,
      transA: false,
      transB: true,
      aBatched: false,
      bBatched: false,
    };
    const a = rand(18, 3);
    const w = rand(12, 4);
    const bias = Float32Array.of(1, -2, 3, 0.5);
    const ref = dgemmReference(Float64Array.from(a), Float64Array.from(w), spec);
    for (let r = 0; r < 6; r++) for (let j = 0; j < 4; j++) ref[r * 4 + j] += bias[j];
    const out = cpuBackend.matmul(
      new CpuStorage("float32", a),
      new CpuStorage("float32", w),
      spec,
      new CpuStorage("float32", bias),
    );
    expect(maxDiff(cpuBackend.readSync!(out) as Float32Array, ref)).toBeLessThan(1e-5);
    const viaBlas = blasSgemm(a, w, spec, bias);
    if (viaBlas) expect(maxDiff(viaBlas, ref)).toBeLessThan(1e-5);
  });
});

describe("float64 GEMM providers", () => {
  for (const spec of cases) {
    const name = `transA=${spec.transA} transB=${spec.transB} aBatched=${spec.aBatched} bBatched=${spec.bBatched}`;
    it(name, () => {
      const a = Float64Array.from(rand((spec.aBatched ? spec.batch : 1) * spec.m * spec.k, 5));
      const b = Float64Array.from(rand((spec.bBatched ? spec.batch : 1) * spec.k * spec.n, 6));
      const ref = dgemmReference(a, b, spec);
      expect(maxDiff(ortDgemm(a, b, spec), ref)).toBeLessThan(1e-14);
      const viaBlas = blasDgemm(a, b, spec);
      if (viaBlas) expect(maxDiff(viaBlas, ref)).toBeLessThan(1e-14);
      const out = cpuBackend.matmul(new CpuStorage("float64", a), new CpuStorage("float64", b), spec);
      expect(maxDiff(cpuBackend.readSync!(out) as Float64Array, ref)).toBeLessThan(1e-14);
    });
  }
});
