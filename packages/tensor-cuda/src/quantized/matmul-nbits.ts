import type { PackedSpec } from "../backend/backend.js";
import { unpackBits } from "./bitstream.js";

/*
 * GPTQ codes in onnxruntime's com.microsoft::MatMulNBits layout. One host function, used by the
 * CPU backend's packed matmul and by ONNX export, so both run the same blocks. Facts of the
 * contract (checked against onnxruntime-node 1.23):
 *
 * - B is uint8 [N, kBlocks, blockSize·bits/8]: per output row, the input axis in blocks, codes
 *   packed low bits first; 4-bit codes two per byte (even k in the low nibble).
 * - scales float [N·kBlocks]; zero_points uint8 [N·ceil(kBlocks·bits/8)], for 4 bits two blocks
 *   per byte (even block in the low nibble), for 8 bits one per byte.
 * - block_size is a power of two ≥ 16. The CPU kernel takes bits 4 and 8 (2 in newer releases);
 *   WebGPU 4 and 8. So 2- and 3-bit codes are stored as 4-bit blocks: a code and its zero
 *   point below 2^bits fit in four bits, and (q − z)·s is the same number whatever width holds q.
 * - Act-order g_idx: the input axis is reordered so that every group is one contiguous block, and
 *   the caller gathers x's columns into `order`. (The op's own g_idx input disables the CPU's
 *   prepacked kernels and is rejected by WebGPU and DirectML; a gather runs everywhere.)
 * - Per-channel grids (one group) become 128-wide blocks sharing the one scale.
 */

export interface MatMulNBitsWeight {
  /** Inputs K and outputs N, as the node's attributes. */
  K: number;
  N: number;
  /** Width of the stored codes: 4 (for 2-4-bit codes) or 8. */
  bits: 4 | 8;
  blockSize: number;
  kBlocks: number;
  /** uint8 [N, kBlocks, blockSize·bits/8]. */
  B: Uint8Array;
  /** float32 [N·kBlocks]. */
  scales: Float32Array;
  /** uint8 [N·ceil(kBlocks·bits/8)]. */
  zeroPoints: Uint8Array;
  /** The input-axis order the blocks follow (x[:, order] is what the node multiplies), or null. */
  order: Int32Array | null;
}

/** Why a weight cannot take the MatMulNBits layout (callers then dequantize). */
export interface MatMulNBitsUnsupported {
  reason: string;
}

const PER_CHANNEL_BLOCK = 128;

/** Sorted by group, every group (but the last) one power-of-two block. */
function blockLayout(
  gIdx: Int32Array,
  groups: number,
): { order: Int32Array | null; block: number } | MatMulNBitsUnsupported {
  const inF = gIdx.length;
  if (groups === 1) return { order: null, block: PER_CHANNEL_BLOCK };
  const counts = new Int32Array(groups);
  for (let i = 0; i < inF; i++) counts[gIdx[i]]++;
  const block = counts[0];
  if (!(block >= 16 && (block & (block - 1)) === 0))
    return { reason: `groups of ${block} inputs (MatMulNBits needs a power of two ≥ 16)` };
  for (let g = 1; g < groups; g++) {
    if (counts[g] !== block && !(g === groups - 1 && counts[g] > 0 && counts[g] < block))
      return { reason: `group ${g} has ${counts[g]} inputs, group 0 has ${block}` };
  }
  let natural = true;
  for (let i = 0; i < inF && natural; i++) natural = gIdx[i] === Math.floor(i / block);
  if (natural) return { order: null, block };
  // Stable by group: inputs of group 0 first, each group in its original order.
  const start = new Int32Array(groups);
  for (let g = 1; g < groups; g++) start[g] = start[g - 1] + counts[g - 1];
  const order = new Int32Array(inF);
  for (let i = 0; i < inF; i++) order[start[gIdx[i]]++] = i;
  return { order, block };
}

/** Where toMatMulNBits puts its arrays (zero-filled): a pool, say, when they are temporaries. */
export interface NBitsAlloc {
  bytes(n: number): Uint8Array;
  floats(n: number): Float32Array;
}

const FRESH: NBitsAlloc = { bytes: (n) => new Uint8Array(n), floats: (n) => new Float32Array(n) };

/**
 * The MatMulNBits form of packed GPTQ buffers: qweight int32 [in·bits/32, out], qzeros int32
 * [groups, out·bits/32] (v2 zero points), scales [groups, out], g_idx [in]. A layout the op
 * cannot express comes back as `{ reason }`.
 */
export function toMatMulNBits(
  qweight: Int32Array,
  qzeros: Int32Array,
  scales: Float32Array,
  gIdx: Int32Array,
  spec: PackedSpec,
  alloc: NBitsAlloc = FRESH,
): MatMulNBitsWeight | MatMulNBitsUnsupported {
  const { inFeatures: K, outFeatures: N, groups, bits } = spec;
  if (bits > 8) return { reason: `${bits}-bit codes (MatMulNBits stores at most 8)` };
  for (let i = 0; i < K; i++) {
    if (!(gIdx[i] >= 0 && gIdx[i] < groups))
      throw new RangeError(`packed weight: g_idx[${i}] = ${gIdx[i]} is outside [0, ${groups})`);
  }
  const layout = blockLayout(gIdx, groups);
  if ("reason" in layout) return layout;
  const { order, block } = layout;
  const store: 4 | 8 = bits <= 4 ? 4 : 8;
  const kBlocks = Math.ceil(K / block);
  const blob = (block * store) / 8;
  const B = alloc.bytes(N * kBlocks * blob);
  fillCodes(B, qweight, K, N, bits, store, order, kBlocks * blob);
  const sc = alloc.floats(N * kBlocks);
  const zpBytes = Math.ceil((kBlocks * store) / 8);
  const zp = alloc.bytes(N * zpBytes);
  const zeros = unpackBits(qzeros, groups, N, bits, 1);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kBlocks; b++) {
      const g = gIdx[order ? order[b * block] : b * block];
      sc[n * kBlocks + b] = scales[g * N + n];
      const z = zeros[g * N + n];
      if (store === 8) zp[n * zpBytes + b] = z;
      else zp[n * zpBytes + (b >> 1)] |= (b & 1 ? z << 4 : z) & 0xff;
    }
  }
  return { K, N, bits: store, blockSize: block, kBlocks, B, scales: sc, zeroPoints: zp, order };
}

/**
 * B [N, rows of `rowBytes`]: row n holds column n's codes along the input axis (in `order` where
 * given), low bits first. Codes stored at their own width in natural order are GPTQ's words
 * transposed: a qweight word holds 32/bits consecutive codes, low bits first, which is exactly
 * four bytes of B (8 four-bit or 4 eight-bit codes), so no code is unpacked.
 */
function fillCodes(
  B: Uint8Array,
  qweight: Int32Array,
  K: number,
  N: number,
  bits: number,
  store: 4 | 8,
  order: Int32Array | null,
  rowBytes: number,
): void {
  if (bits === store && !order && rowBytes % 4 === 0 && (K * bits) % 32 === 0) {
    const words = (K * bits) / 32;
    const B32 = new Uint32Array(B.buffer, B.byteOffset, B.byteLength / 4);
    const rowWords = rowBytes / 4;
    for (let w = 0; w < words; w++) {
      const src = w * N;
      for (let n = 0; n < N; n++) B32[n * rowWords + w] = qweight[src + n];
    }
    return;
  }
  const codesT = unpackBits(qweight, K, N, bits, 0);
  for (let n = 0; n < N; n++) {
    const row = n * rowBytes;
    for (let p = 0; p < K; p++) {
      const code = codesT[(order ? order[p] : p) * N + n];
      if (store === 8) B[row + p] = code;
      else B[row + (p >> 1)] |= (p & 1 ? code << 4 : code) & 0xff;
    }
  }
}
