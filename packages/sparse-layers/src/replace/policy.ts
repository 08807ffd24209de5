import type { FromLinearOptions } from "../init/from-linear.js";
import type { Matrix } from "../linalg/matrix.js";

/** How one family of layers (matched by name) is replaced. */
export interface SparsifyRule {
  /** Matched against the dotted module name; a string is compiled as a RegExp. */
  pattern: RegExp | string;
  groups: number;
  /** Rank of the low-rank path; 0 replaces with a GroupedLinear alone. */
  rank: number;
  permutation?: "none" | "shuffle";
  /** α of the low-rank scale α/rank (default rank: scale 1). */
  alpha?: number;
}

export interface SparsifyPolicy {
  /** The first rule whose pattern matches a Linear's name decides its replacement. */
  rules: SparsifyRule[];
  /** Names matching any of these stay dense (e.g. the LM head). */
  exclude?: (RegExp | string)[];
  /**
   * "svd" (default): blocks of W + truncated SVD of the remainder; "blocks": blocks of W and a
   * zero low-rank path (the block-diagonal-only start); "none": fresh random layers, for pricing
   * a policy without paying for decompositions.
   */
  init?: "svd" | "blocks" | "none";
  /** Decomposition settings passed to every layer (damping, refinement, SVD method). */
  initOptions?: Pick<FromLinearOptions, "damp" | "blocks" | "refine" | "svd">;
  /** XᵀX of each layer's calibration inputs, by name, for activation-aware initialisation. */
  gram?: (name: string) => Matrix | undefined;
  /** Keep a layer dense when its replacement would not have fewer parameters (default true). */
  onlyIfSmaller?: boolean;
}

export function toRegExp(p: RegExp | string): RegExp {
  return typeof p === "string" ? new RegExp(p) : p;
}
