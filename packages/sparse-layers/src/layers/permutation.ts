import { Tensor } from "@shrinkray/tensor-cuda";

/** How input channels are assigned to groups: by position, a channel shuffle, or an explicit order. */
export type PermutationSpec = "none" | "shuffle" | readonly number[] | Int32Array;

/**
 * ShuffleNet's channel shuffle as an input order: group b's k-th input is channel k·g + b, so
 * every block sees channels spread across the whole input instead of one contiguous slice.
 */
export function channelShuffle(inFeatures: number, groups: number): Int32Array {
  const per = inFeatures / groups;
  const p = new Int32Array(inFeatures);
  for (let b = 0; b < groups; b++) for (let k = 0; k < per; k++) p[b * per + k] = k * groups + b;
  return p;
}

/** The order as an int32 tensor, or null for the identity; checks that it is a permutation. */
export function permutationTensor(
  spec: PermutationSpec | undefined,
  inFeatures: number,
  groups: number,
): Tensor | null {
  if (spec === undefined || spec === "none") return null;
  const p = spec === "shuffle" ? channelShuffle(inFeatures, groups) : Int32Array.from(spec);
  const seen = new Uint8Array(inFeatures);
  if (p.length !== inFeatures)
    throw new RangeError(`permutation has ${p.length} entries, expected ${inFeatures}`);
  for (const i of p) {
    if (!(i >= 0 && i < inFeatures) || seen[i])
      throw new RangeError(`permutation is not a permutation of 0..${inFeatures - 1}`);
    seen[i] = 1;
  }
  return Tensor.from(p, [inFeatures], { dtype: "int32" });
}
