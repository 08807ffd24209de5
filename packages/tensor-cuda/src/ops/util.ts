import type { Backend, StridedView } from "../backend/backend.js";
import { getBackend } from "../backend/registry.js";
import { DTYPES, type DType, isFloating } from "../dtype.js";
import { broadcastStrides, DTypeError, fmt, type Shape, sameShape, stridesOf } from "../shape.js";
import { Tensor } from "../tensor.js";

export type TensorLike = Tensor | number;

export function backendOf(t: Tensor): Backend {
  return getBackend(t.device);
}

export function contiguousView(shape: Shape): StridedView {
  return { shape, strides: stridesOf(shape), offset: 0 };
}

export function broadcastView(shape: Shape, target: Shape): StridedView {
  return { shape: target, strides: broadcastStrides(shape, target), offset: 0 };
}

export function sameDevice(op: string, ...ts: Tensor[]): void {
  const d = ts[0].device;
  for (const t of ts) {
    if (t.device !== d) throw new Error(`${op}: tensors are on different devices (${d} and ${t.device})`);
  }
}

const RANK: Record<DType, number> = Object.fromEntries(DTYPES.map((d, i) => [d, i])) as Record<DType, number>;
const ORDER: DType[] = [
  "bool",
  "uint8",
  "int8",
  "int32",
  "int64",
  "float16",
  "bfloat16",
  "float32",
  "float64",
];

/** PyTorch-like promotion: the wider of the two, floats over ints. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if ((a === "float16" && b === "bfloat16") || (a === "bfloat16" && b === "float16")) return "float32";
  return ORDER.indexOf(a) > ORDER.indexOf(b) ? a : b;
}
void RANK;

/** The dtype kernels compute in for a storage dtype. */
export function computeType(op: string, d: DType): DType {
  switch (d) {
    case "float16":
    case "bfloat16":
      throw new DTypeError(`${op}: ${d} is a storage type; cast to float32 (t.float()) before computing`);
    case "int64":
    case "int8":
      throw new DTypeError(`${op}: ${d} is a storage type; cast to int32 before computing`);
    default:
      return d;
  }
}

export function requireFloat(op: string, t: Tensor): void {
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError(
      `${op}: expected a float32 or float64 tensor, got ${t.dtype} (shape ${fmt(t.shape)})`,
    );
  }
}

/** A number as a 0-d tensor of `like`'s dtype, or float32 when that dtype cannot hold it (0.5, NaN). */
export function toTensor(x: TensorLike, like: Tensor): Tensor {
  if (typeof x !== "number") return x;
  const fits = isFloating(like.dtype) || Number.isInteger(x);
  return Tensor.full([], x, { dtype: fits ? like.dtype : "float32", device: like.device });
}

/** Sums a broadcast gradient back down to `shape`. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? g.sum(axes, true) : g;
  return s.reshape(shape);
}
