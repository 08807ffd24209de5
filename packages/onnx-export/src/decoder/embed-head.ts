/** Token embeddings in, logits out; a head tied to the embedding reads the same initializer. */
import type { nn, Tensor } from "@shrinkray/tensor-cuda";
import { isPlainLinear } from "../layers/float-linear.js";
import type { LinearLowering } from "../layers/linear.js";
import { floats } from "../layers/weights.js";

async function embeddingWeight(low: LinearLowering, name: string, w: Tensor): Promise<string> {
  return low.sharedWeight(w, "", async () => low.g.weight(`${name}.weight`, await floats(w), [...w.shape]));
}

/** Gather(weight [V, D], ids) → [B, T, D]. */
export async function embed(
  low: LinearLowering,
  name: string,
  m: nn.Embedding,
  ids: string,
): Promise<string> {
  const w = await embeddingWeight(low, name, m.weight);
  return low.g.scoped(name, () => low.g.op("Gather", [w, ids]));
}

/**
 * logits [B, T, V] = head(h). A head whose weight is the embedding's (tied) multiplies by that
 * same [V, D] initializer through Gemm(transB) instead of storing a transposed copy: for a
 * 150k-token vocabulary the copy would be the largest tensor in the file.
 */
export async function lmHead(
  low: LinearLowering,
  name: string,
  head: nn.AnyModule,
  tiedTo: { name: string; weight: Tensor } | null,
  h: string,
): Promise<string> {
  const { g } = low;
  if (tiedTo && isPlainLinear(head) && head.weight === tiedTo.weight && !head.bias) {
    const w = await embeddingWeight(low, tiedTo.name, tiedTo.weight);
    const [V, D] = tiedTo.weight.shape;
    return g.scoped(name, () => {
      const lead = g.op("Slice", [g.op("Shape", [h]), g.int64s([0]), g.int64s([-1])]);
      const y = g.op("Gemm", [g.op("Reshape", [h, g.int64s([-1, D])]), w], { transB: { int: 1 } });
      return g.op("Reshape", [y, g.op("Concat", [lead, g.int64s([V])], { axis: { int: 0 } })]);
    });
  }
  return low.apply(name, head, h);
}
