/* Test-only: seeded inputs shared by the test files. */
import { Generator, Tensor } from "@shrinkray/tensor-cuda";

export function randomLogits(shape: readonly number[], seed: number, scale = 2): Float64Array {
  const g = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float64Array.from({ length: n }, () => g.normal() * scale);
}

/** Per token, k distinct ids in a seeded random order (a shuffled vocabulary, cut at k). */
export function randomIds(tokens: number, v: number, k: number, seed: number): Int32Array {
  const g = new Generator(seed);
  const out = new Int32Array(tokens * k);
  for (let r = 0; r < tokens; r++) {
    const perm = Array.from({ length: v }, (_, i) => i);
    for (let i = v - 1; i > 0; i--) {
      const j = Math.floor(g.uniform() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    out.set(perm.slice(0, k), r * k);
  }
  return out;
}

/** The teacher's exact full-vocabulary log-probabilities at the ids, as a serving API returns them. */
export function topkFromLogits(logits: Float64Array, v: number, ids: Int32Array, k: number): Float64Array {
  const out = new Float64Array(ids.length);
  for (let r = 0; r < ids.length / k; r++) {
    const row = logits.subarray(r * v, (r + 1) * v);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    for (let j = 0; j < k; j++) out[r * k + j] = row[ids[r * k + j]] - lse;
  }
  return out;
}

export const f64 = (data: Float64Array, shape: readonly number[], requiresGrad = false) =>
  Tensor.from(data.slice(), shape, { dtype: "float64", requiresGrad });

export const f32 = (data: Float64Array | number[], shape: readonly number[]) =>
  Tensor.from(Float32Array.from(data), shape, { dtype: "float32" });

export const i32 = (data: Int32Array | number[], shape: readonly number[]) =>
  Tensor.from(Int32Array.from(data), shape, { dtype: "int32" });

export const values = (t: Tensor) => Array.from(t.cast("float64").dataSync() as Float64Array);
