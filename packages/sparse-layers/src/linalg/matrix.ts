import { Tensor, matmul as tensorMatmul } from "@shrinkray/tensor-cuda";

/**
 * A dense row-major float64 matrix on the host. The factorisations here (SVD, Cholesky) sweep
 * over rows and columns element by element, which a typed array does well and a tensor op per
 * element would not; products of big operands still go through tensor-cuda's GEMM.
 */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** A 2-D tensor of any float dtype, copied into float64. */
export function fromTensor(t: Tensor): Matrix {
  if (t.rank !== 2) throw new RangeError(`expected a 2-D tensor, got shape [${t.shape.join(", ")}]`);
  const data = Float64Array.from(t.cast("float64").dataSync() as Float64Array);
  return { rows: t.shape[0], cols: t.shape[1], data };
}

export function toTensor(m: Matrix, dtype: "float32" | "float64" = "float64"): Tensor {
  const data = dtype === "float64" ? m.data.slice() : Float32Array.from(m.data);
  return Tensor.from(data, [m.rows, m.cols], { dtype });
}

export function transpose(m: Matrix): Matrix {
  const out = zeros(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}

/** a · b through tensor-cuda's float64 GEMM (one call, whatever the size). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`matmul: [${a.rows}, ${a.cols}] @ [${b.rows}, ${b.cols}]`);
  const y = tensorMatmul(toTensor(a), toTensor(b));
  return { rows: a.rows, cols: b.cols, data: y.dataSync() as Float64Array };
}

export function sub(a: Matrix, b: Matrix): Matrix {
  const out = zeros(a.rows, a.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = a.data[i] - b.data[i];
  return out;
}

export function frobenius(m: Matrix): number {
  let s = 0;
  for (const v of m.data) s += v * v;
  return Math.sqrt(s);
}
