import { cat, embedding, gather, indexSelect, scatterAdd, slice } from "../../../../ops/index.js";
import { type AddParityCase, input, ints, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of layout.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on "cuda" and
 * compares every output and gradient): strided copies behind views, and the index kernels (gather,
 * scatter-add, index-select, embedding).
 */

export function layoutParity(add: AddParityCase): void {
  add("permute, slice with a step, expand, cat, split gradients", (d) => {
    const x = input(d, [3, 4, 5], 29, { grad: true });
    const p = x.permute([2, 0, 1]).contiguous();
    const s = slice(x, 2, 1, 5, 2).contiguous();
    const e = x.sum(2, true).expand([3, 4, 6]).contiguous();
    const c = cat([x, x.mul(2)], 1);
    return withGrads([c], [x]).concat([p, s, e]);
  });

  add("gather, scatterAdd, indexSelect (int32 and int64, negative indices)", (d) => {
    const x = input(d, [4, 6], 30, { grad: true });
    const gi = ints(d, [0, 5, -1, 2, 3, 3, 1, 0], [4, 2], "int64");
    const g = gather(x, 1, gi);
    const si = ints(d, [1, 1, 0, 2, 2, 0, 3, 3, 1, 0, 0, 0], [2, 6]);
    const base = input(d, [4, 6], 31);
    const src = input(d, [2, 6], 32);
    const sa = scatterAdd(base, 0, si, src);
    const ii = ints(d, [2, 0, 2, -1], [4]);
    const sel = indexSelect(x, 0, ii);
    return withGrads([g.sum(1).add(sel.sum(1))], [x]).concat([sa, sel]);
  });
  add("embedding forward and backward (index-add)", (d) => {
    const w = input(d, [11, 8], 33, { grad: true });
    const ids = ints(d, [3, 3, 0, 10, 7, 3], [2, 3]);
    return withGrads([embedding(w, ids)], [w]);
  });
}
