import type { LinalgKernels } from "../backend/linalg.js";
import { getBackend } from "../backend/registry.js";
import { DTypeError, fmt, ShapeError } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** The device's linalg kernels, or an error saying this device has none yet. */
export function kernelsFor(op: string, t: Tensor): LinalgKernels {
  const kernels = getBackend(t.device).linalg;
  if (!kernels) {
    throw new Error(
      `${op}: not implemented on ${t.device} yet; move the matrix to the cpu first (t.to("cpu"))`,
    );
  }
  return kernels;
}

/** Checks that `t` is a float32/float64 matrix; returns [rows, cols]. */
export function checkMatrix(op: string, t: Tensor, name: string): [number, number] {
  if (t.rank !== 2) throw new ShapeError(`${op}: ${name} must be a matrix, got shape ${fmt(t.shape)}`);
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError(`${op}: ${name} must be float32 or float64, got ${t.dtype} (cast it first)`);
  }
  return [t.shape[0], t.shape[1]];
}

/** Checks that `t` is a square float32/float64 matrix; returns its order. */
export function checkSquare(op: string, t: Tensor, name: string): number {
  const [rows, cols] = checkMatrix(op, t, name);
  if (rows !== cols) throw new ShapeError(`${op}: ${name} must be square, got shape ${fmt(t.shape)}`);
  return rows;
}
