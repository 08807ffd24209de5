import { nn, noGrad, type Tensor } from "@shrinkray/tensor-cuda";
import { QuantLinear } from "./quant-linear.js";

/**
 * Replaces every QuantLinear with a float nn.Linear holding its dequantized weight (and bias):
 * the same function, in a form tools that work on Linear layers take (a sensitivity scan,
 * fine-tuning). Returns the names of the layers replaced.
 */
export function dequantizeModel(model: nn.AnyModule): string[] {
  const quantized = model
    .namedModules()
    .filter((e): e is [string, QuantLinear] => e[1] instanceof QuantLinear);
  for (const [name, q] of quantized) {
    const dense = new nn.Linear(q.inFeatures, q.outFeatures, { bias: q.bias !== null });
    noGrad(() => {
      const sd: Record<string, Tensor> = { weight: q.dequantizedWeight().to("cpu") };
      if (q.bias) sd.bias = q.bias.to("cpu");
      dense.loadStateDict(sd);
    });
    q.releaseCache();
    model.replace(name, dense.to(q.qweight.device));
  }
  return quantized.map(([name]) => name);
}
