import { Generator, linalg, matmul, narrow, Tensor, transpose } from "@shrinkray/tensor-cuda";

export interface RandomizedSvdOptions {
  /** Extra sampled directions beyond the rank (Halko et al. suggest 5–10); default 8. */
  oversample?: number;
  /** Power iterations; each sharpens the spectrum's decay at the cost of two GEMMs; default 2. */
  powerIters?: number;
  generator?: Generator;
}

/**
 * An approximate rank-r SVD (Halko, Martinsson & Tropp 2011) of a 2-D float tensor: sample A's
 * range with a Gaussian sketch, orthonormalise it, and decompose the small projected matrix
 * exactly. Only GEMMs and SVDs of thin matrices (tensor-cuda's linalg): for matrices whose
 * exact SVD would cost too much. Returns the leading `rank` triplets, as linalg.svd does.
 */
export function randomizedSvd(a: Tensor, rank: number, opts: RandomizedSvdOptions = {}): linalg.SvdResult {
  const [m, n] = a.shape;
  const k = Math.min(rank + (opts.oversample ?? 8), m, n);
  const dtype = a.dtype === "float64" ? "float64" : "float32";
  const omega = Tensor.randn([n, k], { dtype, generator: opts.generator ?? new Generator(0) });
  const at = transpose(a);
  let q = orthonormalColumns(matmul(a, omega));
  for (let i = 0; i < (opts.powerIters ?? 2); i++) {
    q = orthonormalColumns(matmul(a, orthonormalColumns(matmul(at, q))));
  }
  const small = linalg.svd(matmul(transpose(q), a));
  const r = Math.min(rank, small.S.shape[0]);
  return {
    U: narrow(matmul(q, small.U), 1, 0, r).contiguous(),
    S: narrow(small.S, 0, 0, r).contiguous(),
    Vh: narrow(small.Vh, 0, 0, r).contiguous(),
  };
}

/** An orthonormal basis of the column space (the U of a thin SVD). */
function orthonormalColumns(y: Tensor): Tensor {
  return linalg.svd(y).U;
}
