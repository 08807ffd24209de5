import { type MatMulNBitsUnsupported, toMatMulNBits } from "../../../quantized/matmul-nbits.js";
import type { GptqMatmulSpec, Storage } from "../../backend.js";
import { releaseFreedHostMemory } from "../allocator.js";
import { castArray } from "../cast.js";
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
 * - The block layout (2/3/4-bit codes as 4-bit blocks, act-order as a column gather, per-channel
 *   grids as 128-blocks) is quantized/matmul-nbits.ts, shared with ONNX export. ORT's 8-bit path
 *   with float activations dequantizes per call and is slower than our dequantize + GEMM, so
 *   8-bit takes that path.
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
type Unsupported = MatMulNBitsUnsupported;

const prepared = new WeakMap<Storage, Prepared | Unsupported>();

function accuracyLevel(): number {
  return process.env.SHRINKRAY_NBITS_ACCURACY === "int8" ? 4 : 0;
}

function prepare(
  qweight: Storage,
  qzeros: Storage,
  scales: Storage,
  gIdx: Storage,
  spec: GptqMatmulSpec,
): Prepared | Unsupported {
  if (spec.bits > 4) return { reason: `${spec.bits}-bit codes` };
  const S = cpu(scales).data;
  const sc = S instanceof Float32Array ? S : (castArray(S, scales.dtype, "float32") as Float32Array);
  // Temporaries from the pool and back to it: a model's worth of layers would otherwise leave
  // gigabytes of garbage between collections (and glibc holding it afterwards).
  const w = toMatMulNBits(
    int32(qweight, "qweight"),
    int32(qzeros, "qzeros"),
    sc,
    int32(gIdx, "g_idx"),
    spec,
    {
      bytes: (n) => hostZeros<Uint8Array>("uint8", n),
      floats: (n) => hostZeros("float32", n),
    },
  );
  if ("reason" in w) return w;
  const model = buildModel(
    [
      {
        opType: "MatMulNBits",
        domain: "com.microsoft",
        inputs: ["A", "B", "scales", "zero_points"],
        outputs: ["Y"],
        attributes: [
          { name: "K", int: w.K },
          { name: "N", int: w.N },
          { name: "bits", int: w.bits },
          { name: "block_size", int: w.blockSize },
          { name: "accuracy_level", int: accuracyLevel() },
        ],
      },
    ],
    [{ name: "A", elemType: ONNX_FLOAT, dims: ["M", w.K] }],
    [{ name: "Y", elemType: ONNX_FLOAT, dims: ["M", w.N] }],
    [
      { name: "B", elemType: ONNX_UINT8, dims: [w.N, w.kBlocks, (w.blockSize * w.bits) / 8], data: w.B },
      { name: "scales", elemType: ONNX_FLOAT, dims: [w.scales.length], data: w.scales },
      { name: "zero_points", elemType: ONNX_UINT8, dims: [w.zeroPoints.length], data: w.zeroPoints },
    ],
    (bytes) => hostEmpty<Uint8Array>("uint8", bytes),
  );
  const graph = new OrtGraph(model);
  for (const t of [w.B, w.scales, w.zeroPoints, model]) hostRecycle(t);
  if (sc !== S) hostRecycle(sc);
  // onnxruntime parsed and prepacked the weight; its parse copies are freed, but glibc would keep
  // them in the process.
  releaseFreedHostMemory();
  return { graph, order: w.order };
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
