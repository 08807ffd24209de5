import { noGrad } from "../autograd/grad-mode.js";
import { broadcastShapes, DTypeError, fmt, normAxis, numel, ShapeError, stridesOf } from "../shape.js";
import { recordMultiOp, recordOp, Tensor, wrap } from "../tensor.js";
import { backendOf, broadcastView, contiguousView, sameDevice } from "./util.js";

/** Same elements, new shape; shares storage (one -1 is inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const infer = shape.indexOf(-1);
  if (shape.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== infer))) {
    throw new ShapeError(`reshape: ${fmt(shape)} is not a valid shape (one -1 at most, other sizes >= 0)`);
  }
  let sh = [...shape];
  if (infer >= 0) {
    const known = numel(shape.filter((_, i) => i !== infer));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
    }
    sh[infer] = x.size / known;
  }
  if (numel(sh) !== x.size)
    throw new ShapeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(sh)}`);
  sh = sh.map((d) => d);
  const y = new Tensor(x.storage, sh);
  return recordOp("reshape", [x], y, (g) => [g.reshape(x.shape)]);
}

export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  const s = normAxis("flatten", start, x.rank);
  const e = normAxis("flatten", end, x.rank);
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank)
    throw new ShapeError(`permute: ${perm.length} axes given for a tensor of rank ${x.rank}`);
  const p = perm.map((a) => normAxis("permute", a, x.rank));
  if (new Set(p).size !== p.length)
    throw new ShapeError(`permute: [${perm.join(", ")}] is not a permutation`);
  if (p.every((a, i) => a === i)) return x;
  const st = stridesOf(x.shape);
  const shape = p.map((a) => x.shape[a]);
  const y = wrap(
    backendOf(x).copyStrided(x.storage, { shape, strides: p.map((a) => st[a]), offset: 0 }),
    shape,
  );
  const inv = new Array<number>(p.length);
  p.forEach((a, i) => {
    inv[a] = i;
  });
  return recordOp("permute", [x], y, (g) => [permute(g, inv)]);
}

export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const i = normAxis("transpose", a, x.rank);
  const j = normAxis("transpose", b, x.rank);
  const perm = x.shape.map((_, k) => k);
  perm[i] = j;
  perm[j] = i;
  return permute(x, perm);
}

/** Broadcasts to `shape` (materialised: storage is always contiguous). -1 keeps a dim. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.rank;
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - lead] : d));
  const out = broadcastShapes("expand", x.shape, target);
  if (out.some((d, i) => d !== target[i]))
    throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to ${fmt(shape)}`);
  if (out.length === x.rank && out.every((d, i) => d === x.shape[i])) return x;
  const y = wrap(backendOf(x).copyStrided(x.storage, broadcastView(x.shape, out)), out);
  return recordOp("expand", [x], y, (g) => [sumToShapeLocal(g, x.shape)]);
}

function sumToShapeLocal(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return (axes.length ? g.sum(axes, true) : g).reshape(shape);
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  if (a < 0 || a > x.rank) throw new ShapeError(`unsqueeze: axis ${axis} is out of range for rank ${x.rank}`);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const a = normAxis("squeeze", axis, x.rank);
  if (x.shape[a] !== 1) return x;
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

/** Elements start, start+step, ... < end along one axis (negative bounds count from the end). */
export function slice(x: Tensor, axis: number, start = 0, end?: number, step = 1): Tensor {
  const a = normAxis("slice", axis, x.rank);
  const n = x.shape[a];
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = clampIdx(end ?? n);
  if (step < 1) throw new RangeError(`slice: step must be positive, got ${step}`);
  const len = Math.max(0, Math.ceil((e - s) / step));
  if (s === 0 && len === n && step === 1) return x;
  const st = stridesOf(x.shape);
  const shape = [...x.shape];
  shape[a] = len;
  const strides = [...st];
  strides[a] = st[a] * step;
  const view = { shape, strides, offset: s * st[a] };
  const y = wrap(backendOf(x).copyStrided(x.storage, view), shape);
  return recordOp("slice", [x], y, (g) => {
    const base = Tensor.zeros(x.shape, { dtype: g.dtype, device: g.device });
    backendOf(g).copyInto(base.storage, view, g.storage);
    return [base];
  });
}

export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = normAxis("narrow", axis, x.rank);
  if (start < 0 || length < 0 || start + length > x.shape[a]) {
    throw new ShapeError(`narrow: [${start}, ${start + length}) is outside axis ${a} of size ${x.shape[a]}`);
  }
  return slice(x, a, start, start + length);
}

export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("cat: needs at least one tensor");
  const first = tensors[0];
  if (first.rank === 0) throw new ShapeError("cat: 0-d tensors cannot be concatenated (use stack)");
  const a = normAxis("cat", axis, first.rank);
  sameDevice("cat", ...tensors);
  tensors.forEach((t, i) => {
    if (t.rank !== first.rank || t.shape.some((d, j) => j !== a && d !== first.shape[j])) {
      throw new ShapeError(
        `cat: tensor ${i} has shape ${fmt(t.shape)}, incompatible with ${fmt(first.shape)} along axis ${a}`,
      );
    }
    if (t.dtype !== first.dtype) {
      throw new DTypeError(
        `cat: tensor ${i} is ${t.dtype} ${fmt(t.shape)}, tensor 0 is ${first.dtype} ${fmt(first.shape)}`,
      );
    }
  });
  if (tensors.length === 1) return first;
  const shape = [...first.shape];
  shape[a] = tensors.reduce((s, t) => s + t.shape[a], 0);
  const out = Tensor.zeros(shape, { dtype: first.dtype, device: first.device });
  const st = stridesOf(shape);
  let off = 0;
  for (const t of tensors) {
    backendOf(t).copyInto(out.storage, { shape: t.shape, strides: st, offset: off * st[a] }, t.storage);
    off += t.shape[a];
  }
  return recordOp("cat", tensors, out, (g) => {
    let o = 0;
    return tensors.map((t) => {
      const piece = t.requiresGrad ? slice(g, a, o, o + t.shape[a]) : null;
      o += t.shape[a];
      return piece;
    });
  });
}

export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("stack: needs at least one tensor");
  const a = axis < 0 ? axis + tensors[0].rank + 1 : axis;
  if (!(a >= 0 && a <= tensors[0].rank)) {
    throw new ShapeError(`stack: axis ${axis} is out of range for tensors of shape ${fmt(tensors[0].shape)}`);
  }
  return cat(
    tensors.map((t) => unsqueeze(t, a)),
    a,
  );
}

/** Splits into pieces of `sizes` (a number: equal pieces, the last may be smaller). */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normAxis("split", axis, x.rank);
  const n = x.shape[a];
  const list: number[] = [];
  if (typeof sizes === "number") {
    // A size of 0 would loop forever.
    if (!(sizes >= 1))
      throw new ShapeError(`split: piece size must be >= 1, got ${sizes} (axis ${a} of ${fmt(x.shape)})`);
    for (let s = 0; s < n; s += sizes) list.push(Math.min(sizes, n - s));
  } else list.push(...sizes);
  if (list.reduce((s, v) => s + v, 0) !== n) {
    throw new ShapeError(
      `split: sizes [${list.join(", ")}] do not add up to ${n} (axis ${a} of ${fmt(x.shape)})`,
    );
  }
  if (list.length === 1) return [x];
  const pieces = noGrad(() => {
    let o = 0;
    return list.map((len) => {
      const piece = narrow(x, a, o, len);
      o += len;
      return piece;
    });
  });
  // One backward for all pieces: the input gradient is the pieces' gradients laid side by side
  // (zeros for unused pieces), not a sum of full-size zero-padded tensors.
  return recordMultiOp("split", [x], pieces, (gs) => {
    const parts = gs.map((g, i) => g ?? Tensor.zeros(pieces[i].shape, { dtype: x.dtype, device: x.device }));
    return [cat(parts, a)];
  });
}

export function contiguous(x: Tensor): Tensor {
  return x;
}

export { contiguousView };
