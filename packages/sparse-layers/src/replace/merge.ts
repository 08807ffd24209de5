import { nn, type Tensor } from "@shrinkray/tensor-cuda";
import type { GroupedLinear } from "../layers/grouped-linear.js";
import { GroupedLoRALinear } from "../layers/grouped-lora-linear.js";
import { sparsityConfigOf } from "./config.js";

/**
 * Replaces every grouped / grouped-LoRA layer with a plain Linear computing the same function
 * (its dense weight, bias kept), e.g. before quantizing a sparse student with a method that works
 * on Linear layers. Returns the names of the layers merged.
 */
export function mergeSparse(model: nn.AnyModule): string[] {
  const names = sparsityConfigOf(model).layers.map((l) => l.name);
  for (const name of names) {
    const m = model.get(name);
    const grouped = m instanceof GroupedLoRALinear ? m.grouped : (m as GroupedLinear);
    const dense = new nn.Linear(grouped.inFeatures, grouped.outFeatures, { bias: grouped.bias !== null });
    const sd: Record<string, Tensor> = { weight: (m as GroupedLinear | GroupedLoRALinear).denseWeight() };
    if (grouped.bias) sd.bias = grouped.bias.detach();
    dense.loadStateDict(sd);
    model.replace(name, dense.to(grouped.weight.device));
  }
  return names;
}
