import { nn, type Tensor } from "@shrinkray/tensor-cuda";
import { UnsupportedLayerError } from "../errors.js";
import { layerNorm, rmsNorm } from "../graph/nn.js";
import type { LinearLowering } from "../layers/linear.js";
import { floats } from "../layers/weights.js";

/** An nn.RMSNorm or nn.LayerNorm module over the last axis. */
export async function norm(low: LinearLowering, name: string, m: nn.AnyModule, x: string): Promise<string> {
  const { g } = low;
  const param = async (t: Tensor | null, what: string, fill: number, dim: number) =>
    t
      ? g.weight(`${name}.${what}`, await floats(t), [t.size])
      : g.weight(`${name}.${what}`, new Float32Array(dim).fill(fill), [dim]);
  return g.scoped(name, async () => {
    if (m instanceof nn.RMSNorm) {
      if (!m.weight) return rmsNorm(g, x, g.scalar(1), m.eps);
      return rmsNorm(g, x, await param(m.weight, "weight", 1, m.weight.size), m.eps);
    }
    if (m instanceof nn.LayerNorm) {
      const dim = (m.weight ?? m.bias)?.size;
      if (dim === undefined)
        throw new UnsupportedLayerError(name, "LayerNorm", "a LayerNorm without weight and bias");
      return layerNorm(
        g,
        x,
        await param(m.weight, "weight", 1, dim),
        await param(m.bias, "bias", 0, dim),
        m.eps,
      );
    }
    throw new UnsupportedLayerError(name, m.constructor.name, "expected RMSNorm or LayerNorm");
  });
}
