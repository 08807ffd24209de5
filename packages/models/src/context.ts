/**
 * What every decoder block of one forward pass shares: positions of the new tokens, the
 * padding mask over all keys (cached and new), and the KV cache. Built once per forward from
 * the caller's attention mask, so padding and positions follow Hugging Face's conventions.
 */
import { Tensor } from "@shrinkray/tensor-cuda";
import type { KVCache } from "./kv-cache.js";

export interface ForwardOptions {
  /**
   * 0/1 mask, [B, T] for the new tokens or [B, past + T] covering the cache too (as
   * transformers takes it). Zeros mark padding; left padding is the supported layout for
   * generation. Read on the host, so pass a CPU tensor or nested arrays.
   */
  attentionMask?: Tensor | number[][] | null;
  /** Explicit positions, int32 [B, T]; by default they count non-padding tokens from 0. */
  positionIds?: Tensor | number[][] | null;
  /** Earlier tokens' keys and values; the forward appends the new ones to it. */
  cache?: KVCache | null;
  /** Only the last n positions get logits (generation needs 1; the LM head is the largest GEMM). */
  logitsToKeep?: number;
}

export interface DecoderContext {
  batch: number;
  /** New tokens in this forward. */
  length: number;
  /** Tokens already in the cache. */
  pastLength: number;
  /** Positions of the new tokens, [B * T] row-major. */
  positions: Int32Array;
  /** True when every row has the same positions (no padding): tables are then [T, D] and broadcast. */
  sharedPositions: boolean;
  /** Additive mask [B, 1, 1, past + T]: 0 for real keys, a large negative number for padding. */
  mask: Tensor | null;
  /** The same mask as 0/1 on the host, [B, past + T] row-major; null when nothing is masked. */
  keyMask: Int32Array | null;
  cache: KVCache | null;
  /** Architecture-specific per-forward tensors (rotary tables), filled by the embed step. */
  rope?: { cos: Tensor; sin: Tensor };
  /** BLOOM's ALiBi biases plus the padding mask, [B or 1, H, 1, past + T], filled by its embed step. */
  alibi?: Tensor;
}

// Not -Infinity: a padded query whose keys are all padding would get a row of NaNs.
export const MASKED = -1e30;

function hostInts(x: Tensor | number[][], what: string): { data: Int32Array; rows: number; cols: number } {
  if (Array.isArray(x)) {
    const cols = x[0]?.length ?? 0;
    return { data: Int32Array.from(x.flat()), rows: x.length, cols };
  }
  if (x.rank !== 2) throw new TypeError(`${what} must be [batch, length], got [${x.shape.join(", ")}]`);
  if (x.device !== "cpu")
    throw new TypeError(`${what} is read on the host: pass a CPU tensor or nested arrays`);
  return {
    data: Int32Array.from(x.cast("float32").dataSync() as Float32Array),
    rows: x.shape[0],
    cols: x.shape[1],
  };
}

export function buildContext(inputIds: Tensor, opts: ForwardOptions = {}): DecoderContext {
  if (inputIds.rank !== 2)
    throw new TypeError(`inputIds must be int32 [batch, length], got [${inputIds.shape.join(", ")}]`);
  const [B, T] = inputIds.shape;
  const cache = opts.cache ?? null;
  const past = cache?.length ?? 0;
  if (cache && past > 0 && cache.batch !== B) {
    throw new TypeError(`the KV cache holds a batch of ${cache.batch}, inputIds has ${B} rows`);
  }
  const S = past + T;
  const full = fullMask(opts.attentionMask ?? null, cache, B, T, past);
  if (cache) {
    cache.length = S;
    cache.batch = B;
    cache.mask = full;
  }
  let positions: Int32Array;
  let shared = false;
  if (opts.positionIds) {
    const p = hostInts(opts.positionIds, "positionIds");
    if (p.rows !== B || p.cols !== T)
      throw new TypeError(`positionIds must be [${B}, ${T}], got [${p.rows}, ${p.cols}]`);
    positions = p.data;
  } else if (full) {
    positions = positionsFromMask(full, B, S, T);
  } else {
    positions = new Int32Array(T);
    for (let t = 0; t < T; t++) positions[t] = past + t;
    shared = true;
  }
  let mask: Tensor | null = null;
  if (full) {
    const add = new Float32Array(B * S);
    for (let i = 0; i < add.length; i++) add[i] = full[i] ? 0 : MASKED;
    mask = Tensor.from(add, [B, 1, 1, S], { device: inputIds.device });
  }
  return {
    batch: B,
    length: T,
    pastLength: past,
    positions,
    sharedPositions: shared,
    mask,
    keyMask: full,
    cache,
  };
}

/** The mask over all S keys, or null when nothing is masked (the fast path: no mask tensor). */
function fullMask(
  m: Tensor | number[][] | null,
  cache: KVCache | null,
  B: number,
  T: number,
  past: number,
): Int32Array | null {
  const S = past + T;
  const prev = cache && past > 0 ? cache.mask : null;
  if (!m) {
    if (!prev) return null;
    const out = new Int32Array(B * S).fill(1);
    for (let b = 0; b < B; b++) out.set(prev.subarray(b * past, (b + 1) * past), b * S);
    return out;
  }
  const { data, rows, cols } = hostInts(m, "attentionMask");
  if (rows !== B || (cols !== T && cols !== S)) {
    throw new TypeError(`attentionMask must be [${B}, ${T}] or [${B}, ${S}], got [${rows}, ${cols}]`);
  }
  let out = data;
  if (cols === T && past > 0) {
    out = new Int32Array(B * S).fill(1);
    for (let b = 0; b < B; b++) {
      if (prev) out.set(prev.subarray(b * past, (b + 1) * past), b * S);
      out.set(data.subarray(b * T, (b + 1) * T), b * S + past);
    }
  }
  return out.every((v) => v !== 0) ? null : out;
}

/** transformers' convention: cumsum(mask) - 1, with padding at position 1 (it is never attended). */
function positionsFromMask(mask: Int32Array, B: number, S: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    let c = 0;
    for (let s = 0; s < S; s++) {
      if (mask[b * S + s]) c++;
      if (s >= S - T) out[b * T + s - (S - T)] = mask[b * S + s] ? c - 1 : 1;
    }
  }
  return out;
}
