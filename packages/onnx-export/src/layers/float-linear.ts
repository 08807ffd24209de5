import { nn } from "@shrinkray/tensor-cuda";
import type { LinearLowering } from "./linear.js";
import { floats, transpose } from "./weights.js";

/** An nn.Linear whose forward is nn.Linear's own (a subclass that changes it is not "plain"). */
export function isPlainLinear(m: nn.AnyModule): m is nn.Linear {
  return m instanceof nn.Linear && m.forward === nn.Linear.prototype.forward;
}

/** x·Wᵀ + b with Wᵀ stored [in, out], as MatMul reads it. */
export async function floatLinear(
  low: LinearLowering,
  name: string,
  m: nn.Linear,
  x: string,
): Promise<string> {
  const { g } = low;
  const w = await low.sharedWeight(m.weight, "T", async () =>
    g.weight(`${name}.weight_T`, transpose(await floats(m.weight), m.outFeatures, m.inFeatures), [
      m.inFeatures,
      m.outFeatures,
    ]),
  );
  const y = g.op("MatMul", [x, w]);
  if (!m.bias) return y;
  const bias = m.bias;
  const b = await low.sharedWeight(bias, "", async () =>
    g.weight(`${name}.bias`, await floats(bias), [m.outFeatures]),
  );
  return g.op("Add", [y, b]);
}
