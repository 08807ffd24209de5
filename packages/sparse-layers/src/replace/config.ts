import type { nn } from "@shrinkray/tensor-cuda";
import { GroupedLinear } from "../layers/grouped-linear.js";
import { GroupedLoRALinear } from "../layers/grouped-lora-linear.js";

/**
 * What a checkpoint must say about one replaced layer to rebuild an empty module of the right
 * shape on a dense skeleton; the tensors (permutation included, as a buffer) come from the file.
 */
export interface SparseLayerConfig {
  /** Dotted module path in the model. */
  name: string;
  kind: "grouped" | "grouped-lora";
  inFeatures: number;
  outFeatures: number;
  groups: number;
  /** 0 for "grouped". */
  rank: number;
  /** The low-rank scale's α (α / rank multiplies B·A). */
  alpha: number;
  bias: boolean;
  permuted: boolean;
}

/** The file format: a version so that later layouts can be told apart. */
export interface SparsityConfig {
  format: "shrinkray-sparse-layers";
  version: 1;
  layers: SparseLayerConfig[];
}

export type SparseModule = GroupedLinear | GroupedLoRALinear;

export function describeLayer(name: string, m: SparseModule): SparseLayerConfig {
  const g = m instanceof GroupedLoRALinear ? m.grouped : m;
  return {
    name,
    kind: m instanceof GroupedLoRALinear ? "grouped-lora" : "grouped",
    inFeatures: m.inFeatures,
    outFeatures: m.outFeatures,
    groups: m.groups,
    rank: m instanceof GroupedLoRALinear ? m.rank : 0,
    alpha: m instanceof GroupedLoRALinear ? m.lora.alpha : 0,
    bias: g.bias !== null,
    permuted: g.perm !== null,
  };
}

/** Every grouped / grouped-LoRA layer in a model, in module order. */
export function sparsityConfigOf(model: nn.AnyModule): SparsityConfig {
  const layers = model
    .namedModules()
    .filter(([, m]) => m instanceof GroupedLinear || m instanceof GroupedLoRALinear)
    .filter(([name]) => !isInsideGroupedLora(model, name))
    .map(([name, m]) => describeLayer(name, m as SparseModule));
  return { format: "shrinkray-sparse-layers", version: 1, layers };
}

function isInsideGroupedLora(model: nn.AnyModule, name: string): boolean {
  const cut = name.lastIndexOf(".");
  return cut >= 0 && model.get(name.slice(0, cut)) instanceof GroupedLoRALinear;
}

/**
 * An empty module of the configured shape. Its values are placeholders for loadStateDict; the
 * identity permutation only reserves the buffer, the checkpoint's own order overwrites it.
 */
export function buildLayer(c: SparseLayerConfig): SparseModule {
  const permutation = c.permuted ? Array.from({ length: c.inFeatures }, (_, i) => i) : "none";
  if (c.kind === "grouped")
    return new GroupedLinear(c.inFeatures, c.outFeatures, c.groups, { bias: c.bias, permutation });
  return new GroupedLoRALinear(c.inFeatures, c.outFeatures, c.groups, c.rank, {
    bias: c.bias,
    permutation,
    alpha: c.alpha,
  });
}

/** Thrown for a sparsity config that does not fit the model it is applied to. */
export class SparsityConfigError extends Error {
  override name = "SparsityConfigError";
}
