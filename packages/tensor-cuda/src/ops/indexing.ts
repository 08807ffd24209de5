import { DTypeError, fmt, normAxis, numel, ShapeError } from "../shape.js";
import { recordOp, type Tensor, wrap } from "../tensor.js";
import { backendOf, sameDevice } from "./util.js";

function checkIndexType(op: string, index: Tensor): void {
  if (index.dtype !== "int32" && index.dtype !== "int64") {
    throw new DTypeError(
      `${op}: index must be int32 or int64, got ${index.dtype} (shape ${fmt(index.shape)})`,
    );
  }
}

/** out[..., j, ...] = x[..., index[..., j, ...], ...] along `axis`; index has x's rank. */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normAxis("gather", axis, x.rank);
  checkIndexType("gather", index);
  sameDevice("gather", x, index);
  if (index.rank !== x.rank || index.shape.some((d, i) => i !== a && d !== x.shape[i])) {
    throw new ShapeError(
      `gather: index ${fmt(index.shape)} must match input ${fmt(x.shape)} except along axis ${a}`,
    );
  }
  const outer = numel(x.shape.slice(0, a));
  const inner = numel(x.shape.slice(a + 1));
  const y = wrap(
    backendOf(x).gather(x.storage, index.storage, outer, x.shape[a], index.shape[a], inner),
    index.shape,
  );
  return recordOp("gather", [x], y, (g) => [scatterAdd(x.zerosLike(), a, index, g)], [index]);
}

/** base with src added at the positions index names along `axis` (the adjoint of gather). */
export function scatterAdd(base: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const a = normAxis("scatter_add", axis, base.rank);
  checkIndexType("scatter_add", index);
  sameDevice("scatter_add", base, index, src);
  if (src.dtype !== base.dtype) {
    throw new DTypeError(
      `scatter_add: src is ${src.dtype} ${fmt(src.shape)}, base is ${base.dtype} ${fmt(base.shape)}`,
    );
  }
  if (index.rank !== base.rank || src.rank !== index.rank || src.shape.some((d, i) => d !== index.shape[i])) {
    throw new ShapeError(
      `scatter_add: index ${fmt(index.shape)} and src ${fmt(src.shape)} must have the same shape`,
    );
  }
  if (index.shape.some((d, i) => i !== a && d !== base.shape[i])) {
    throw new ShapeError(
      `scatter_add: index ${fmt(index.shape)} must match base ${fmt(base.shape)} except along axis ${a}`,
    );
  }
  const outer = numel(base.shape.slice(0, a));
  const inner = numel(base.shape.slice(a + 1));
  const y = wrap(
    backendOf(base).scatterAdd(
      base.storage,
      index.storage,
      src.storage,
      outer,
      base.shape[a],
      index.shape[a],
      inner,
    ),
    base.shape,
  );
  return recordOp("scatter_add", [base, src], y, (g) => [g, src.requiresGrad ? gather(g, a, index) : null], [
    index,
  ]);
}

/** Rows (or slices along `axis`) of x picked by a 1-D index. */
export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normAxis("index_select", axis, x.rank);
  checkIndexType("index_select", index);
  sameDevice("index_select", x, index);
  if (index.rank !== 1) throw new ShapeError(`index_select: index must be 1-D, got ${fmt(index.shape)}`);
  const outer = numel(x.shape.slice(0, a));
  const inner = numel(x.shape.slice(a + 1));
  const shape = [...x.shape];
  shape[a] = index.shape[0];
  const y = wrap(backendOf(x).indexSelect(x.storage, index.storage, outer, x.shape[a], inner), shape);
  return recordOp(
    "index_select",
    [x],
    y,
    (g) => [wrap(backendOf(g).indexAdd(g.storage, index.storage, outer, x.shape[a], inner), x.shape)],
    [index],
  );
}

/** Looks up rows of an embedding table [vocab, dim] for ids of any shape. */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  if (weight.rank !== 2)
    throw new ShapeError(`embedding: weight must be [vocab, dim], got ${fmt(weight.shape)}`);
  const rows = indexSelect(weight, 0, ids.reshape([ids.size]));
  // A table kept at its checkpoint's width (bfloat16/float16) is widened row by row as it is read.
  const wide = rows.dtype === "bfloat16" || rows.dtype === "float16" ? rows.cast("float32") : rows;
  if (wide !== rows && !rows.heldByGraph) rows.dispose();
  return wide.reshape([...ids.shape, weight.shape[1]]);
}
