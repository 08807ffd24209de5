import { byteSize } from "../../../../dtype.js";
import type { MatmulSpec, Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";
import { byteSuffix } from "../../suffixes.js";

/*
 * Batched GEMM on cuBLAS. A bias is written into every output row first and the product added
 * onto it (beta = 1): the bias costs one pass over C instead of a second kernel reading it back.
 */
export function matmul(
  c: CudaContext,
  a: Storage,
  b: Storage,
  spec: MatmulSpec,
  bias?: Storage | null,
): CudaStorage {
  if (a.dtype !== b.dtype) throw new TypeError(`matmul: dtypes ${a.dtype} and ${b.dtype} differ`);
  if (bias && bias.dtype !== a.dtype)
    throw new TypeError(`matmul: bias ${bias.dtype} and operands ${a.dtype} differ`);
  const { batch, m, k, n } = spec;
  const rows = batch * m;
  const out = c.alloc(a.dtype, rows * n);
  if (rows * n === 0) return out;
  if (bias) c.launch1d(`fill_rows_${byteSuffix(a.dtype)}`, rows * n, [out.address(), c.ptr(bias), rows, n]);
  if (k === 0) {
    if (!bias) c.driver.memset(out.address(), 0, rows * n * byteSize(a.dtype));
    return out;
  }
  c.blas.gemm({
    dtype: a.dtype,
    batch,
    m,
    k,
    n,
    transA: spec.transA,
    transB: spec.transB,
    aBatched: spec.aBatched,
    bBatched: spec.bBatched,
    a: c.ptr(a),
    b: c.ptr(b),
    c: out.address(),
    beta: bias ? 1 : 0,
    tf32: c.allowTF32,
  });
  return out;
}
