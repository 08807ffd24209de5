import { nn, Tensor } from "@shrinkray/tensor-cuda";

/**
 * Unstructured and semi-structured pruning baselines. A mask is 1 for a kept weight, 0 for a
 * pruned one, shaped like the weight [out, in]. Kept weights count as parameters; the index
 * overhead a sparse format would add is left out, which flatters the baselines slightly.
 */
export type Mask = Uint8Array;

/** Keeps the `keep` largest |W| of the whole matrix (magnitude pruning, Han et al. 2015). */
export function magnitudeMask(weight: Tensor, keep: number): Mask {
  const w = weight.cast("float64").dataSync() as Float64Array;
  return topK(Float64Array.from(w, Math.abs), keep);
}

/**
 * Wanda (Sun et al. 2023): score |W_ij|·‖X_j‖₂ with X_j the j-th input channel over the
 * calibration rows, compared within each output row — every row keeps the same number of
 * weights, round(keep / out), as the paper's per-output comparison group prescribes.
 */
export function wandaMask(weight: Tensor, inputNorms: Float64Array, keep: number): Mask {
  const [out, inF] = weight.shape;
  const scores = wandaScores(weight, inputNorms);
  const perRow = Math.round(keep / out);
  const mask = new Uint8Array(out * inF);
  for (let o = 0; o < out; o++) mask.set(topK(scores.subarray(o * inF, (o + 1) * inF), perRow), o * inF);
  return mask;
}

/**
 * N:M semi-structured sparsity (2:4 as NVIDIA's sparse tensor cores run it): in every run of m
 * consecutive inputs of a row, the n highest-scoring weights stay. Scores are Wanda's when input
 * norms are given, magnitudes otherwise. Always keeps n/m of the weights, whatever the target.
 */
export function nmMask(weight: Tensor, n = 2, m = 4, inputNorms?: Float64Array): Mask {
  const [out, inF] = weight.shape;
  if (inF % m !== 0) throw new RangeError(`${n}:${m} sparsity needs in = ${inF} to be a multiple of ${m}`);
  const scores = inputNorms
    ? wandaScores(weight, inputNorms)
    : Float64Array.from(weight.cast("float64").dataSync() as Float64Array, Math.abs);
  const mask = new Uint8Array(out * inF);
  for (let start = 0; start < out * inF; start += m)
    mask.set(topK(scores.subarray(start, start + m), n), start);
  return mask;
}

/** ‖X_j‖₂ per input channel of calibration rows [..., in]. */
export function inputChannelNorms(x: Tensor): Float64Array {
  const inF = x.shape[x.rank - 1];
  const d = x.cast("float64").dataSync() as Float64Array;
  const norms = new Float64Array(inF);
  for (let i = 0; i < d.length; i++) norms[i % inF] += d[i] * d[i];
  return norms.map(Math.sqrt);
}

/** A copy of the Linear with the pruned weights zeroed (dense storage, same function otherwise). */
export function applyMask(lin: nn.Linear, mask: Mask): nn.Linear {
  const w = lin.weight.cast("float32").dataSync() as Float32Array;
  const out = new nn.Linear(lin.inFeatures, lin.outFeatures, { bias: lin.bias !== null });
  const sd: Record<string, Tensor> = {
    weight: Tensor.from(
      w.map((v, i) => (mask[i] ? v : 0)),
      lin.weight.shape,
    ),
  };
  if (lin.bias) sd.bias = lin.bias.detach();
  out.loadStateDict(sd);
  return out;
}

export function countKept(mask: Mask): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

function wandaScores(weight: Tensor, norms: Float64Array): Float64Array {
  const inF = weight.shape[1];
  const w = weight.cast("float64").dataSync() as Float64Array;
  return Float64Array.from(w, (v, i) => Math.abs(v) * norms[i % inF]);
}

/** 1 at the k largest scores (ties broken by position, for determinism). */
function topK(scores: Float64Array, k: number): Mask {
  const mask = new Uint8Array(scores.length);
  const kk = Math.max(0, Math.min(k, scores.length));
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  for (let i = 0; i < kk; i++) mask[order[i]] = 1;
  return mask;
}
