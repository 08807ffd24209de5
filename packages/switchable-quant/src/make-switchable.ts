import { nn, type Tensor } from "@shrinkray/tensor-cuda";
import type { BitWidth, QuantSpec } from "./bits.js";
import { type Assignment, type BitConfig, type LayerShape, resolveConfig } from "./config.js";
import { SwitchableLinear } from "./switchable-linear.js";

/**
 * Replaces every Linear of `model` with a SwitchableLinear sharing its weight, except those a
 * `"-:"` pattern of `config` skips (a classifier head, say), and sets each to its spec under
 * `config`. Returns the new layers by dotted name. Without a config every Linear is converted and
 * starts at full precision.
 */
export function makeSwitchable(model: nn.AnyModule, config?: BitConfig): Map<string, SwitchableLinear> {
  const linears = model.namedModules().filter(([name, m]) => name !== "" && m instanceof nn.Linear) as [
    string,
    nn.Linear,
  ][];
  const assignment = config
    ? resolveConfig(
        config,
        linears.map(([n]) => n),
      )
    : null;
  const out = new Map<string, SwitchableLinear>();
  for (const [name, lin] of linears) {
    const spec = assignment ? assignment.get(name) : undefined;
    if (spec === null) continue;
    const s = SwitchableLinear.fromLinear(lin, spec ?? {});
    model.replace(name, s);
    out.set(name, s);
  }
  return out;
}

/** The SwitchableLinear layers of a model by dotted name, in tree order. */
export function switchableLayers(model: nn.AnyModule): Map<string, SwitchableLinear> {
  return new Map(
    model.namedModules().filter(([, m]) => m instanceof SwitchableLinear) as [string, SwitchableLinear][],
  );
}

/** Shapes of the switchable layers, for memory accounting. */
export function layerShapes(layers: Map<string, SwitchableLinear>): LayerShape[] {
  return [...layers].map(([name, l]) => ({ name, outFeatures: l.outFeatures, inFeatures: l.inFeatures }));
}

/** What each switchable layer runs at now. */
export function currentAssignment(layers: Map<string, SwitchableLinear>): Assignment {
  return new Map([...layers].map(([name, l]) => [name, l.spec]));
}

/**
 * Sets every layer named in `assignment` (null: skipped, which runs at 32 bits); layers it does
 * not name are left as they are.
 */
export function applyAssignment(layers: Map<string, SwitchableLinear>, assignment: Assignment): void {
  for (const [name, spec] of assignment) {
    const l = layers.get(name);
    if (!l) throw new RangeError(`applyAssignment: no switchable layer "${name}"`);
    l.setPrecision(spec ?? { bits: 32 });
  }
}

/** Applies a BitConfig to the switchable layers. */
export function applyConfig(layers: Map<string, SwitchableLinear>, config: BitConfig): Assignment {
  const a = resolveConfig(config, layers.keys());
  applyAssignment(layers, a);
  return a;
}

/** Sets one width on every layer (keeping each layer's group size and symmetry). */
export function setAllBits(layers: Map<string, SwitchableLinear>, bits: BitWidth): void {
  for (const l of layers.values()) l.bits = bits;
}

/** A copy of an assignment with `names` set to `spec`. */
export function withSpec(
  assignment: Assignment,
  names: readonly string[],
  spec: QuantSpec | null,
): Assignment {
  const a = new Map(assignment);
  for (const n of names) a.set(n, spec ? { ...spec } : null);
  return a;
}

/** Every LoRA parameter of the layers (all widths): what an adapter-only optimizer trains. */
export function adapterParameters(layers: Map<string, SwitchableLinear>): Tensor[] {
  return [...layers.values()].flatMap((l) => l.adapterBits.flatMap((b) => l.adapter(b)!.parameters()));
}
