import type { MatmulSpec } from "../backend.js";
import { blasDgemm, blasSgemm } from "./blas.js";
import { buildModel, type Dim, ONNX_DOUBLE, ONNX_FLOAT } from "./onnx-model.js";
import { OrtGraph } from "./ort-session.js";
import { hostZeros } from "./pool.js";

/*
 * float32 GEMM through onnxruntime's MLAS (com.microsoft FusedMatMul, which takes transA/transB
 * so transposed operands are never materialised). One session per operand-rank/transpose class,
 * with symbolic dims, built on first use and cached.
 */
const sessions = new Map<string, OrtGraph>();

function session(aRank: number, bRank: number, transA: boolean, transB: boolean): OrtGraph {
  const key = `${aRank}${bRank}${+transA}${+transB}`;
  let s = sessions.get(key);
  if (!s) {
    const dimsA: Dim[] = aRank === 3 ? ["batch", "a1", "a2"] : ["a1", "a2"];
    const dimsB: Dim[] = bRank === 3 ? ["batch", "b1", "b2"] : ["b1", "b2"];
    const outRank = Math.max(aRank, bRank);
    const dimsY: Dim[] = outRank === 3 ? ["batch", "m", "n"] : ["m", "n"];
    const model = buildModel(
      [
        {
          opType: "FusedMatMul",
          domain: "com.microsoft",
          inputs: ["A", "B"],
          outputs: ["Y"],
          attributes: [
            { name: "transA", int: +transA },
            { name: "transB", int: +transB },
            { name: "alpha", float: 1 },
          ],
        },
      ],
      [
        { name: "A", elemType: ONNX_FLOAT, dims: dimsA },
        { name: "B", elemType: ONNX_FLOAT, dims: dimsB },
      ],
      [{ name: "Y", elemType: ONNX_FLOAT, dims: dimsY }],
    );
    s = new OrtGraph(model);
    sessions.set(key, s);
  }
  return s;
}

export function ortSgemm(a: Float32Array, b: Float32Array, spec: MatmulSpec): Float32Array {
  const { batch, m, k, n, transA, transB } = spec;
  const aBatched = spec.aBatched && batch > 1;
  const bBatched = spec.bBatched && batch > 1;
  const out = hostZeros("float32", batch * m * n);
  if (m === 0 || n === 0 || batch === 0) return out;
  if (k === 0) return out;
  // A shared B with a batched, untransposed A is one tall GEMM.
  if (aBatched && !bBatched && !transA) {
    session(2, 2, false, transB).run(
      {
        A: { type: "float32", data: a, dims: [batch * m, k] },
        B: { type: "float32", data: b, dims: transB ? [n, k] : [k, n] },
      },
      { Y: { type: "float32", data: out, dims: [batch * m, n] } },
    );
    return out;
  }
  const aDims = transA ? [k, m] : [m, k];
  const bDims = transB ? [n, k] : [k, n];
  const aRank = aBatched ? 3 : 2;
  const bRank = bBatched ? 3 : 2;
  const outRank = Math.max(aRank, bRank);
  session(aRank, bRank, transA, transB).run(
    {
      A: { type: "float32", data: a, dims: aBatched ? [batch, ...aDims] : aDims },
      B: { type: "float32", data: b, dims: bBatched ? [batch, ...bDims] : bDims },
    },
    { Y: { type: "float32", data: out, dims: outRank === 3 ? [batch, m, n] : [m, n] } },
  );
  return out;
}

/** The float32 or float64 product on the best provider here: the system BLAS, else MLAS. */
export function gemm<T extends Float32Array | Float64Array>(
  a: T,
  b: T,
  spec: MatmulSpec,
  bias?: T | null,
): T {
  if (a instanceof Float32Array) {
    const biasArr = (bias ?? null) as Float32Array | null;
    const viaBlas = blasSgemm(a, b as Float32Array, spec, biasArr);
    if (viaBlas) return viaBlas as T;
    const out = ortSgemm(a, b as Float32Array, spec);
    if (biasArr) addRows(out, biasArr, spec.n);
    return out as T;
  }
  const biasArr = (bias ?? null) as Float64Array | null;
  const viaBlas = blasDgemm(a as Float64Array, b as Float64Array, spec, biasArr);
  if (viaBlas) return viaBlas as T;
  const out = ortDgemm(a as Float64Array, b as Float64Array, spec);
  if (biasArr) addRows(out, biasArr, spec.n);
  return out as T;
}

function addRows(out: Float32Array | Float64Array, bias: ArrayLike<number>, n: number): void {
  for (let r = 0; r < out.length; r += n) for (let j = 0; j < n; j++) out[r + j] += bias[j];
}

let dgemmSession: OrtGraph | undefined;

/**
 * float64 GEMM through MLAS's DGEMM (plain MatMul: onnxruntime's fused transposed product is
 * float32 only, so a transposed operand is copied first, which is O(size) against O(m·k·n)).
 */
export function ortDgemm(a: Float64Array, b: Float64Array, spec: MatmulSpec): Float64Array {
  const { batch, m, k, n, transA, transB } = spec;
  const out = new Float64Array(batch * m * n);
  if (m === 0 || n === 0 || batch === 0 || k === 0) return out;
  dgemmSession ??= new OrtGraph(
    buildModel(
      [{ opType: "MatMul", inputs: ["A", "B"], outputs: ["Y"] }],
      [
        { name: "A", elemType: ONNX_DOUBLE, dims: ["m", "k"] },
        { name: "B", elemType: ONNX_DOUBLE, dims: ["k", "n"] },
      ],
      [{ name: "Y", elemType: ONNX_DOUBLE, dims: ["m", "n"] }],
    ),
  );
  const session = dgemmSession;
  const aRows = spec.aBatched && !transA && !spec.bBatched;
  const product = (ap: Float64Array, bp: Float64Array, rows: number, y: Float64Array) =>
    session.run(
      {
        A: { type: "float64", data: ap, dims: [rows, k] },
        B: { type: "float64", data: bp, dims: [k, n] },
      },
      { Y: { type: "float64", data: y, dims: [rows, n] } },
    );
  const bShared = spec.bBatched ? null : transB ? transposed(b, n, k) : b;
  if (aRows) {
    // A shared B under a batched A is one tall product.
    product(a, bShared!, batch * m, out);
    return out;
  }
  const aShared = spec.aBatched ? null : transA ? transposed(a, k, m) : a;
  for (let p = 0; p < batch; p++) {
    const ap = aShared ?? operand(a.subarray(p * m * k, (p + 1) * m * k), transA, k, m);
    const bp = bShared ?? operand(b.subarray(p * k * n, (p + 1) * k * n), transB, n, k);
    product(ap, bp, m, out.subarray(p * m * n, (p + 1) * m * n));
  }
  return out;
}

function operand(x: Float64Array, trans: boolean, rows: number, cols: number): Float64Array {
  return trans ? transposed(x, rows, cols) : x;
}

/** Row-major [rows, cols] → [cols, rows]. */
function transposed(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

/** float64 GEMM as a plain loop: the reference the providers are tested against. */
export function dgemmReference(a: Float64Array, b: Float64Array, spec: MatmulSpec): Float64Array {
  const { batch, m, k, n, transA, transB } = spec;
  const out = hostZeros<Float64Array>("float64", batch * m * n);
  for (let p = 0; p < batch; p++) {
    const ao = spec.aBatched ? p * m * k : 0;
    const bo = spec.bBatched ? p * k * n : 0;
    const oo = p * m * n;
    for (let i = 0; i < m; i++) {
      for (let t = 0; t < k; t++) {
        const av = a[ao + (transA ? t * m + i : i * k + t)];
        if (av === 0) continue;
        for (let j = 0; j < n; j++) out[oo + i * n + j] += av * b[bo + (transB ? j * k + t : t * n + j)];
      }
    }
  }
  return out;
}
