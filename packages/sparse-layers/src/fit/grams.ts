import { nn } from "@shrinkray/tensor-cuda";
import { GramAccumulator } from "../init/gram.js";
import type { Matrix } from "../linalg/matrix.js";
import { type Calibration, captureLayerIO } from "./capture.js";

/**
 * XᵀX of the calibration inputs of each named Linear, for activation-aware initialisation
 * (SparsifyPolicy.gram). Layers are captured one at a time, so only one layer's activations
 * and the in × in Gram matrices are ever held.
 */
export function collectGrams<B>(
  model: nn.AnyModule,
  names: readonly string[],
  calibration: Calibration<B>,
): Map<string, Matrix> {
  const out = new Map<string, Matrix>();
  for (const name of names) {
    const layer = model.get(name);
    if (!(layer instanceof nn.Linear))
      throw new TypeError(`collectGrams: "${name}" is a ${layer.constructor.name}, not a Linear`);
    const { inputs, outputs } = captureLayerIO(model, layer, calibration);
    out.set(name, new GramAccumulator(layer.inFeatures).add(inputs).gram);
    inputs.dispose();
    outputs.dispose();
  }
  return out;
}

/** The names of the Linear layers a regex selects, in module order (to feed collectGrams). */
export function linearNames(model: nn.AnyModule, pattern: RegExp): string[] {
  return model
    .namedModules()
    .filter(([name, m]) => m instanceof nn.Linear && pattern.test(name))
    .map(([name]) => name);
}
