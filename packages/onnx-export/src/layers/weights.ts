/** Host copies of module tensors, read on whatever device they live (one API: `await t.data()`). */
import type { Tensor } from "@shrinkray/tensor-cuda";

export async function floats(t: Tensor): Promise<Float32Array> {
  const d = await (t.dtype === "float32" ? t : t.cast("float32")).data();
  return d as Float32Array;
}

export async function int32s(t: Tensor, what: string): Promise<Int32Array> {
  if (t.dtype !== "int32") throw new TypeError(`${what} must be int32, got ${t.dtype}`);
  return (await t.data()) as Int32Array;
}

/** W [rows, cols] → Wᵀ [cols, rows] (what MatMul multiplies x [.., rows→cols] by). */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) t[c * rows + r] = w[o + c];
  }
  return t;
}
