/**
 * Choosing the next token from one row of logits, on the host: greedy, or sampled after
 * transformers' processors in their order (temperature, then top-k, then top-p), drawing from
 * a seeded tensor-cuda Generator so a seed gives the same text on every machine.
 */
import type { Generator } from "@shrinkray/tensor-cuda";

export interface SamplingOptions {
  /** Sample instead of taking the argmax (default false). */
  doSample?: boolean;
  temperature?: number;
  /** Keep the k most likely tokens (0 or absent: all). */
  topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p (1 or absent: all). */
  topP?: number;
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export function nextToken(row: Float32Array, opts: SamplingOptions, gen: Generator): number {
  const temperature = opts.temperature ?? 1;
  if (!opts.doSample || temperature === 0) return argmax(row);
  const V = row.length;
  const k = opts.topK && opts.topK > 0 ? Math.min(opts.topK, V) : V;
  const p = opts.topP ?? 1;
  // Candidates in decreasing logit order (ties by lower id, as a stable sort gives).
  let order: number[];
  if (k < V) order = topKIndices(row, k);
  else {
    order = Array.from({ length: V }, (_, i) => i);
    order.sort((a, b) => row[b] - row[a] || a - b);
  }
  const max = row[order[0]];
  const w = order.map((i) => Math.exp((row[i] - max) / temperature));
  let total = w.reduce((s, x) => s + x, 0);
  if (p < 1) {
    // Smallest prefix whose mass reaches p; the token that crosses p is kept (at least one).
    let cum = 0;
    let keep = 0;
    while (keep < w.length && cum < p * total) cum += w[keep++];
    w.length = Math.max(1, keep);
    total = w.reduce((s, x) => s + x, 0);
  }
  let u = gen.uniform() * total;
  for (let i = 0; i < w.length; i++) {
    u -= w[i];
    if (u < 0) return order[i];
  }
  return order[w.length - 1];
}

/** Indices of the k largest values, largest first, in O(V log k). */
function topKIndices(row: Float32Array, k: number): number[] {
  // A min-heap of the best k seen so far.
  const heap: number[] = [];
  const less = (a: number, b: number) => row[a] < row[b] || (row[a] === row[b] && a > b);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let i = 0; i < row.length; i++) {
    if (heap.length < k) {
      heap.push(i);
      for (let j = heap.length - 1; j > 0; ) {
        const p = (j - 1) >> 1;
        if (!less(heap[j], heap[p])) break;
        [heap[j], heap[p]] = [heap[p], heap[j]];
        j = p;
      }
    } else if (less(heap[0], i)) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort((a, b) => row[b] - row[a] || a - b);
}
