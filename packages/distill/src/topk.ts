/**
 * Top-k of log-softmax rows on the host: tensor-cuda has no top-k op, and a teacher's top-k is
 * taken once per position for caching, so a partial selection over a typed array is enough.
 */

/** Writes the k largest entries of logSoftmax(row) (largest first) into ids/logprobs at `at`. */
export function topkLogSoftmax(
  row: Float32Array,
  k: number,
  ids: Int32Array,
  logprobs: Float32Array,
  at: number,
): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  const lse = max + Math.log(sum);
  // Insertion into a sorted list of k: V·k worst case, fine for the k ≤ 100 caches use.
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    if (best.length < k) best.push(i);
    else if (row[i] > row[best[k - 1]]) best[k - 1] = i;
    else continue;
    for (let j = best.length - 1; j > 0 && row[best[j]] > row[best[j - 1]]; j--) {
      [best[j], best[j - 1]] = [best[j - 1], best[j]];
    }
  }
  for (let j = 0; j < k; j++) {
    ids[at + j] = best[j];
    logprobs[at + j] = row[best[j]] - lse;
  }
}
