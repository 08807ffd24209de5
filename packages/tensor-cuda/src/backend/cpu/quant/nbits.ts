import { float16BitsToFloat32 } from "../../../dtype.js";
import { unpackBits } from "../../../quantized/bitstream.js";
import type { GptqMatmulSpec, Storage } from "../../backend.js";
import { releaseFreedHostMemory } from "../allocator.js";
import { buildModel, ONNX_FLOAT, ONNX_UINT8 } from "../onnx-model.js";
import { OrtGraph } from "../ort-session.js";
import { hostEmpty, hostRecycle, hostZeros } from "../pool.js";
import { CpuStorage, cpu } from "../storage.js";

/*
 * Packed low-bit matmul on the CPU through onnxruntime's com.microsoft::MatMulNBits (MLAS's
 * blocked int4 kernels). Each packed weight gets its own one-node session with the weight baked
 * in as a constant: ORT prepacks constant B once, at session creation, into the layout its
 * kernels stream; a B fed at run time would be dequantized to float on every call.
 *
 * - 2-, 3- and 4-bit codes all run as 4-bit blocks: a code and its zero point below 2^bits fit
 *   in four bits, and (q − z)·s is the same number whatever width stores q. (ORT's CPU kernel
 *   takes 4 or 8 bits only; its 8-bit path with float activations dequantizes per call and is
 *   slower than our dequantize + GEMM, so 8-bit takes that path.)
 * - Act-order g_idx: the input axis is reordered once so that each group is a contiguous block,
 *   and x's columns are gathered into that order on each call (a [rows, in] copy).
 * - Per-channel grids (one group) become 128-wide blocks sharing the one scale.
 * - Activations stay float32 (accuracy_level 0): results equal dequantize-then-multiply to float
 *   rounding. SHRINKRAY_NBITS_ACCURACY=int8 selects MLAS's int8-activation kernels (several times
 *   faster, ~1% relative error, as llama.cpp's Q8 activations).
 */

interface Prepared {
  graph: OrtGraph;
  /** Input-axis order the blocks follow, or null for the natural order. */
  order: Int32Array | null;
}

/** Why a packed weight cannot take the MatMulNBits path (the op then dequantizes). */
type Unsupported = { reason: string };

const prepared = new WeakMap<Storage, Prepared | Unsupported>();

const PER_CHANNEL_BLOCK = 128;

function accuracyLevel(): number {
  return process.env.SHRINKRAY_NBITS_ACCURACY === "int8" ? 4 : 0;
}

/** The block layout of the input axis: sorted by group, every group (but the last) one power-of-two block. */
function blockLayout(
  gIdx: Int32Array,
  groups: number,
): { order: Int32Array | null; block: number } | Unsupported {
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

function prepare(
  qweight: Storage,
  qzeros: Storage,
  scales: Storage,
  gIdx: Storage,
  spec: GptqMatmulSpec,
): Prepared | Unsupported {
  const { inFeatures: K, outFeatures: N, groups, bits } = spec;
  if (bits > 4) return { reason: `${bits}-bit codes` };
  const g = int32(gIdx, "g_idx");
  for (let i = 0; i < K; i++) {
    if (!(g[i] >= 0 && g[i] < groups))
      throw new RangeError(`packed weight: g_idx[${i}] = ${g[i]} is outside [0, ${groups})`);
  }
  const layout = blockLayout(g, groups);
  if ("reason" in layout) return layout;
  const { order, block } = layout;
  const kBlocks = Math.ceil(K / block);
  const blob = block / 2;
  // Temporaries from the pool and back to it: a model's worth of layers would otherwise leave
  // gigabytes of garbage between collections (and glibc holding it afterwards).
  const B = hostZeros<Uint8Array>("uint8", N * kBlocks * blob);
  fillCodes(B, int32(qweight, "qweight"), K, N, bits, order, kBlocks * blob);
  const sc = hostEmpty("float32", N * kBlocks);
  const zpBytes = Math.ceil(kBlocks / 2);
  const zp = hostZeros<Uint8Array>("uint8", N * zpBytes);
  const zeros = unpackBits(int32(qzeros, "qzeros"), groups, N, bits, 1);
  const S = cpu(scales).data;
  const scale =
    S instanceof Float32Array
      ? (i: number) => S[i]
      : (i: number) => float16BitsToFloat32((S as Uint16Array)[i]);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kBlocks; b++) {
      const grp = g[order ? order[b * block] : b * block];
      sc[n * kBlocks + b] = scale(grp * N + n);
      const z = zeros[grp * N + n];
      zp[n * zpBytes + (b >> 1)] |= (b & 1 ? z << 4 : z) & 0xff;
    }
  }
  const model = buildModel(
    [
      {
        opType: "MatMulNBits",
        domain: "com.microsoft",
        inputs: ["A", "B", "scales", "zero_points"],
        outputs: ["Y"],
        attributes: [
          { name: "K", int: K },
          { name: "N", int: N },
          { name: "bits", int: 4 },
          { name: "block_size", int: block },
          { name: "accuracy_level", int: accuracyLevel() },
        ],
      },
    ],
    [{ name: "A", elemType: ONNX_FLOAT, dims: ["M", K] }],
    [{ name: "Y", elemType: ONNX_FLOAT, dims: ["M", N] }],
    [
      { name: "B", elemType: ONNX_UINT8, dims: [N, kBlocks, blob], data: B },
      { name: "scales", elemType: ONNX_FLOAT, dims: [N * kBlocks], data: sc },
      { name: "zero_points", elemType: ONNX_UINT8, dims: [N * zpBytes], data: zp },
    ],
    (bytes) => hostEmpty<Uint8Array>("uint8", bytes),
  );
  const graph = new OrtGraph(model);
  for (const t of [B, sc, zp, model]) hostRecycle(t);
  // onnxruntime parsed and prepacked the weight; its parse copies are freed, but glibc would keep
  // them in the process.
  releaseFreedHostMemory();
  return { graph, order };
}

/**
 * MatMulNBits's B [N, rows of `rowBytes`]: row n holds column n's codes along the input axis
 * (in `order` where given), two per byte, low nibble first. Natural-order 4-bit codes are GPTQ's
 * own words, transposed: a qweight word holds eight consecutive codes low nibble first, exactly
 * four bytes of B.
 */
function fillCodes(
  B: Uint8Array,
  qweight: Int32Array,
  K: number,
  N: number,
  bits: number,
  order: Int32Array | null,
  rowBytes: number,
): void {
  if (bits === 4 && !order && rowBytes % 4 === 0) {
    const words = K / 8;
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
      B[row + (p >> 1)] |= (p & 1 ? code << 4 : code) & 0xff;
    }
  }
}

function int32(s: Storage, what: string): Int32Array {
  const d = cpu(s).data;
  if (!(d instanceof Int32Array)) throw new TypeError(`${what} must be int32, got ${s.dtype}`);
  return d;
}

/** y [rows, out] = x · Wᵀ through MatMulNBits, or null where the weight's layout cannot take it. */
export function packedMatmul(
  x: Storage,
  qweight: Storage,
  qzeros: Storage,
  scales: Storage,
  gIdx: Storage,
  spec: GptqMatmulSpec,
): Storage | null {
  let p = prepared.get(qweight);
  if (!p) {
    p = prepare(qweight, qzeros, scales, gIdx, spec);
    prepared.set(qweight, p);
  }
  if ("reason" in p) return null;
  const { rows, inFeatures: K, outFeatures: N } = spec;
  const X = cpu(x).data;
  if (!(X instanceof Float32Array)) throw new TypeError(`packedMatmul: x must be float32, got ${x.dtype}`);
  let A = X;
  if (p.order) {
    A = hostEmpty("float32", rows * K);
    const order = p.order;
    for (let r = 0; r < rows; r++) {
      const o = r * K;
      for (let k = 0; k < K; k++) A[o + k] = X[o + order[k]];
    }
  }
  const Y = hostEmpty("float32", rows * N);
  if (rows > 0)
    p.graph.run(
      { A: { type: "float32", data: A, dims: [rows, K] } },
      { Y: { type: "float32", data: Y, dims: [rows, N] } },
    );
  if (A !== X) hostRecycle(A);
  return new CpuStorage("float32", Y);
}

/** Packed buffers written in place: the baked-in copy is stale. */
export function forgetPacked(qweight: Storage): void {
  prepared.delete(qweight);
}

/** Why `packedMatmul` would decline this weight (for tests and diagnostics), or null. */
export function packedMatmulDeclines(qweight: Storage): string | null {
  const p = prepared.get(qweight);
  return p && "reason" in p ? p.reason : null;
}
