import {
  bfloat16BitsToFloat32,
  type DType,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  type TypedArray,
} from "../../dtype.js";
import { hostEmpty } from "./pool.js";

/** Reads element i of any storage as a JS number. */
function reader(dtype: DType, a: TypedArray): (i: number) => number {
  switch (dtype) {
    case "float16":
      return (i) => float16BitsToFloat32((a as Uint16Array)[i]);
    case "bfloat16":
      return (i) => bfloat16BitsToFloat32((a as Uint16Array)[i]);
    case "int64":
      return (i) => Number((a as BigInt64Array)[i]);
    default:
      return (i) => (a as Float32Array)[i];
  }
}

export function castArray(a: TypedArray, from: DType, to: DType): TypedArray {
  if (from === to) {
    const copy = hostEmpty<TypedArray>(to, a.length);
    copy.set(a as never);
    return copy;
  }
  const n = a.length;
  const out = hostEmpty<TypedArray>(to, n);
  // Fast paths for the conversions checkpoints use all the time.
  if ((from === "float16" || from === "bfloat16") && to === "float32") {
    const src = a as Uint16Array;
    const dst = out as Float32Array;
    if (from === "bfloat16") {
      const u = new Uint32Array(dst.buffer, dst.byteOffset, n);
      for (let i = 0; i < n; i++) u[i] = src[i] << 16;
    } else for (let i = 0; i < n; i++) dst[i] = float16BitsToFloat32(src[i]);
    return out;
  }
  const get = reader(from, a);
  switch (to) {
    case "float16":
      for (let i = 0; i < n; i++) (out as Uint16Array)[i] = float32ToFloat16Bits(get(i));
      break;
    case "bfloat16":
      for (let i = 0; i < n; i++) (out as Uint16Array)[i] = float32ToBfloat16Bits(get(i));
      break;
    case "int64":
      for (let i = 0; i < n; i++) (out as BigInt64Array)[i] = BigInt(Math.trunc(get(i)));
      break;
    case "bool":
      // NaN is truthy for PyTorch (nonzero), though falsy in JS.
      for (let i = 0; i < n; i++) (out as Uint8Array)[i] = get(i) !== 0 ? 1 : 0;
      break;
    case "int32":
    case "int8":
    case "uint8":
      for (let i = 0; i < n; i++) (out as Int32Array)[i] = Math.trunc(get(i));
      break;
    default:
      for (let i = 0; i < n; i++) (out as Float32Array)[i] = get(i);
  }
  return out;
}
