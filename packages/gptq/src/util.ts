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

/** Row-major [rows, cols] → row-major [cols, rows]. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = m[base + c];
  }
  return out;
}
