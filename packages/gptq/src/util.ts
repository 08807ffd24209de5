import { ShapeError, type Tensor } from "@shrinkray/tensor-cuda";

/** [rows, cols] of a rank-2 tensor, or a ShapeError naming the argument. */
export function checkMatrix(t: Tensor, where: string, arg: string): [number, number] {
  if (!t || typeof t !== "object" || !("shape" in t))
    throw new TypeError(`${where}: ${arg} must be a Tensor`);
  if (t.rank !== 2)
    throw new ShapeError(`${where}: ${arg} must be a matrix, got shape [${t.shape.join(", ")}]`);
  return [t.shape[0], t.shape[1]];
}

/** The elements as a float32 array on the host (a copy the caller may mutate). */
export function floatData(t: Tensor): Float32Array {
  const x = t.dtype === "float32" ? t : t.cast("float32");
  return x.to("cpu").dataSync() as Float32Array;
}

/** Row-major [rows, cols] → row-major [cols, rows], in tiles so reads and writes stay in cache. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  const T = 64;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(r0 + T, rows);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(c0 + T, cols);
      for (let r = r0; r < r1; r++) {
        const base = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = m[base + c];
      }
    }
  }
  return out;
}
