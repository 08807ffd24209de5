import type { StridedView } from "./backend.js";

/** True when the view reads `numel(shape)` consecutive elements from its offset (size-1 axes ignored). */
export function isContiguous(v: StridedView): boolean {
  let acc = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== acc) return false;
    acc *= v.shape[i];
  }
  return true;
}
